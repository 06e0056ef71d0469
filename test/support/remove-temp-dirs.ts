// A setup file (vitest.config.ts): after each test file, the directories its tests made with
// tempDir() are removed, whether the tests passed or not.
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(removeTempDirs);
