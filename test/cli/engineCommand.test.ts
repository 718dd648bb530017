import { CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProjectStore, createProject, setSetting } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';
import { runCli } from './runCli';

const temp = freshDirs();

describe('depthseg engine (backend choice: flag, project setting, environment)', () => {
  it('takes --backend over everything and says why', () => {
    const r = runCli(['engine', '--backend', 'cpu', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'cpu', threads: 1, reason: expect.stringMatching(/asked for: cpu/) });
  });

  it("uses the project's engine.backend setting where no flag is given", async () => {
    const dir = join(temp('cli-engine'), 'p');
    const store = await openProjectStore(dir);
    await createProject(store, { name: 'p', labelSet: CITYSCAPES_LABEL_SET });
    await setSetting(store, 'engine.backend', 'cpu');
    await store.close();
    const r = runCli(['engine', '--project', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('cpu');
  });

  it('falls back to wasm with its training kernels when no native tfjs is installed', () => {
    const r = runCli(['engine', '--json', '--threads', '1']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    // tfjs-node(-gpu) cannot install on the build machines; where they can, they win.
    expect(['wasm', 'tensorflow']).toContain(info.backend);
    if (info.backend === 'wasm') expect(info.reason).toMatch(/tfjs-node-gpu not available/);
  });

  it('refuses an unknown backend with usage', () => {
    const r = runCli(['engine', '--backend', 'gpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend 'gpu'/);
  });
});
