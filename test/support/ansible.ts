import { join } from 'node:path';

/**
 * The environment ansible-playbook runs with in host tests: its home, temp and ssh control
 * directories inside the test's work directory, no host key prompts, no colour, no retry files.
 */
export function ansibleEnv(work: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    LANG: 'C.UTF-8',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: join(work, 'local'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, 'cp'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
  };
}
