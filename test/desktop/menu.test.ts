import { describe, expect, it } from 'vitest';
import type { RecentProject } from '../../src/core/api/contract';
import { aboutText, applicationMenu, type MenuActions, type MenuItem } from '../../src/core/desktop/menu';

const recent: RecentProject[] = [
  { dir: '/p/street', name: 'street', openedAt: '2025-03-01T10:00:00Z', exists: true },
  { dir: '/p/gone', name: 'gone', openedAt: '2025-02-01T10:00:00Z', exists: false },
];

function menu(platform: NodeJS.Platform, opts: { recent?: RecentProject[]; projectOpen?: boolean; devTools?: boolean } = {}) {
  const calls: string[] = [];
  const actions: MenuActions = {
    newProject: () => calls.push('new'),
    openProject: () => calls.push('open'),
    openRecent: (dir) => calls.push(`recent ${dir}`),
    closeProject: () => calls.push('close'),
    about: () => calls.push('about'),
  };
  const template = applicationMenu({ appName: 'DepthSeg Workbench', platform, recent: opts.recent ?? recent, projectOpen: opts.projectOpen ?? false, devTools: opts.devTools ?? false, actions });
  return { template, calls };
}

const top = (t: MenuItem[], label: string): MenuItem => t.find((m) => m.label?.replace('&', '') === label)!;
const item = (m: MenuItem, label: string): MenuItem => m.submenu!.find((i) => i.label === label)!;

describe('application menu', () => {
  it('File: new, open (each through the shell), open recent, close project, quit', () => {
    const { template, calls } = menu('linux', { projectOpen: true });
    const file = top(template, 'File');
    expect(file.submenu!.map((i) => i.label ?? i.role ?? i.type)).toEqual(['New Project…', 'Open Project…', 'Open Recent', 'separator', 'Close Project', 'separator', 'Quit']);
    expect(item(file, 'Quit').role).toBe('quit');
    expect([item(file, 'New Project…').accelerator, item(file, 'Open Project…').accelerator]).toEqual(['CmdOrCtrl+N', 'CmdOrCtrl+O']);
    item(file, 'New Project…').click!();
    item(file, 'Open Project…').click!();
    item(file, 'Close Project').click!();
    expect(calls).toEqual(['new', 'open', 'close']);
  });

  it('Open Recent lists the recent projects; a missing one is shown but cannot be opened', () => {
    const { template, calls } = menu('linux');
    const recentMenu = item(top(template, 'File'), 'Open Recent').submenu!;
    expect(recentMenu.map((i) => [i.label, i.enabled])).toEqual([
      ['street — /p/street', true],
      ['gone — /p/gone (missing)', false],
    ]);
    recentMenu[0]!.click!();
    expect(calls).toEqual(['recent /p/street']);
    const empty = item(top(menu('linux', { recent: [] }).template, 'File'), 'Open Recent').submenu!;
    expect(empty).toEqual([{ label: 'No Recent Projects', enabled: false }]);
  });

  it('Close Project is enabled only while a project is open', () => {
    expect(item(top(menu('win32', { projectOpen: false }).template, 'File'), 'Close Project').enabled).toBe(false);
    expect(item(top(menu('win32', { projectOpen: true }).template, 'File'), 'Close Project').enabled).toBe(true);
  });

  it('About is under Help on Linux and Windows, in the app menu on macOS (with Quit there)', () => {
    const linux = menu('linux');
    item(top(linux.template, 'Help'), 'About DepthSeg Workbench').click!();
    expect(linux.calls).toEqual(['about']);
    const mac = menu('darwin');
    expect(mac.template[0]!.label).toBe('DepthSeg Workbench');
    expect(mac.template[0]!.submenu!.map((i) => i.label ?? i.role ?? i.type)).toContain('About DepthSeg Workbench');
    expect(mac.template[0]!.submenu!.some((i) => i.role === 'quit')).toBe(true);
    expect(top(mac.template, 'Help')).toBeUndefined();
    expect(item(top(mac.template, 'File'), 'Close Project')).toBeDefined();
    expect(top(mac.template, 'File').submenu!.some((i) => i.role === 'quit')).toBe(false);
  });

  it('leaves the annotator its keys: no Edit menu outside macOS, Ctrl+0 not taken by reset zoom', () => {
    const linux = menu('linux').template;
    expect(linux.some((m) => m.role === 'editMenu')).toBe(false);
    expect(top(linux, 'View').submenu!.find((i) => i.role === 'resetZoom')!.registerAccelerator).toBe(false);
    expect(menu('darwin').template.some((m) => m.role === 'editMenu')).toBe(true);
  });

  it('developer tools and reload only where asked (unpackaged runs)', () => {
    const roles = (devTools: boolean) => top(menu('linux', { devTools }).template, 'View').submenu!.map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });
});

describe('about text', () => {
  it('names the app, its version and the Electron, Chrome and Node versions it runs on', () => {
    const t = aboutText({ name: 'DepthSeg Workbench', version: '0.1.0', versions: { electron: '41.7.1', chrome: '146.0.1', node: '24.11.1', v8: '14.6' }, platform: 'linux', arch: 'x64' });
    expect(t.title).toBe('About DepthSeg Workbench');
    expect(t.message).toBe('DepthSeg Workbench 0.1.0');
    expect(t.detail.split('\n').slice(2)).toEqual(['Electron 41.7.1', 'Chrome 146.0.1', 'Node.js 24.11.1', 'V8 14.6', 'linux x64']);
    expect(aboutText({ name: 'X', version: '1', versions: {}, platform: 'win32', arch: 'arm64' }).detail).toContain('Electron unknown');
  });
});
