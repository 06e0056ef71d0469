/**
 * A roster in the everyday subset is read in one pass: yaml's positioned Document is composed
 * only when a diagnostic needs a position or a value's spelling differs from what it reads as.
 * The repository's own roster.yaml (and its preset) must never need it: composing it was most of
 * a build's time on that roster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const composed = vi.hoisted(() => ({ count: 0 }));
vi.mock('yaml', async (original) => {
  const yaml = await original<typeof import('yaml')>();
  return {
    ...yaml,
    parseDocument: (...args: Parameters<typeof yaml.parseDocument>) => {
      composed.count++;
      return yaml.parseDocument(...args);
    },
  };
});

const { loadFleetFromText } = await import('../../src/load/load-fleet.js');
const ROSTER = readFileSync(join(import.meta.dirname, '..', '..', 'roster.yaml'), 'utf8');

describe('reading a roster without a Document', () => {
  beforeEach(() => {
    composed.count = 0;
  });

  it("loads the repository's roster.yaml (numbers in limits, a preset) without composing a Document", () => {
    const result = loadFleetFromText(ROSTER, 'roster.yaml');
    expect(result.diagnostics).toEqual([]);
    expect(result.fleet).toBeDefined();
    expect(composed.count).toBe(0);
  });

  it('composes one when an env value is a number spelled otherwise than it reads (0700), and keeps that spelling', () => {
    const text = ROSTER.replace('TZ: UTC', 'TZ: UTC\n      UMASK: 0700');
    expect(text).not.toBe(ROSTER);
    const result = loadFleetFromText(text, 'roster.yaml');
    expect(result.diagnostics).toEqual([]);
    expect(composed.count).toBeGreaterThan(0);
    expect(JSON.stringify(result.fleet)).toContain('["UMASK","0700"]');
  });
});
