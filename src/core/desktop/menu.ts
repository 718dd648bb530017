/**
 * The desktop app's menu and About text, as plain data: the Electron main process turns the
 * template into its menu (Menu.buildFromTemplate) and wires the actions to the system's
 * dialogs and the window. Kept here, without Electron, so that it is tested under Node.
 */
import type { RecentProject } from '../api/contract';

/** The roles this menu uses (a subset of Electron's menu-item roles). */
export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'editMenu'
  | 'windowMenu'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen';

/** One menu item, in the shape of Electron's MenuItemConstructorOptions. */
export interface MenuItem {
  readonly label?: string;
  readonly role?: MenuRole;
  readonly type?: 'normal' | 'separator' | 'submenu';
  readonly accelerator?: string;
  /** Linux and Windows: false shows the accelerator without taking the key from the page. */
  readonly registerAccelerator?: boolean;
  readonly enabled?: boolean;
  readonly click?: () => void;
  readonly submenu?: MenuItem[];
}

/** What the menu's own items do; the shell supplies them. */
export interface MenuActions {
  /** Ask for a folder (the system's dialog, which may create one) for a new project. */
  newProject(): void;
  /** Ask for a project folder and open it. */
  openProject(): void;
  openRecent(dir: string): void;
  closeProject(): void;
  about(): void;
}

export interface MenuOptions {
  readonly appName: string;
  readonly platform: NodeJS.Platform;
  readonly recent: readonly RecentProject[];
  /** Whether a project is open now (Close Project is enabled then). */
  readonly projectOpen: boolean;
  /** Reload and the developer tools in the View menu (unpackaged runs). */
  readonly devTools: boolean;
  readonly actions: MenuActions;
}

const separator: MenuItem = { type: 'separator' };

/** Open Recent: one item per recent project (a missing one greyed out), or a note that there are none. */
export function recentSubmenu(recent: readonly RecentProject[], openRecent: (dir: string) => void): MenuItem[] {
  if (recent.length === 0) return [{ label: 'No Recent Projects', enabled: false }];
  return recent.map((r) => ({
    label: r.exists ? `${r.name} — ${r.dir}` : `${r.name} — ${r.dir} (missing)`,
    enabled: r.exists,
    click: () => openRecent(r.dir),
  }));
}

export function applicationMenu(o: MenuOptions): MenuItem[] {
  const mac = o.platform === 'darwin';
  const about: MenuItem = { label: `About ${o.appName}`, click: () => o.actions.about() };
  const file: MenuItem = {
    label: '&File',
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => o.actions.newProject() },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => o.actions.openProject() },
      { label: 'Open Recent', submenu: recentSubmenu(o.recent, (dir) => o.actions.openRecent(dir)) },
      separator,
      { label: 'Close Project', enabled: o.projectOpen, click: () => o.actions.closeProject() },
      separator,
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
    ],
  };
  const view: MenuItem = {
    label: '&View',
    submenu: [
      ...(o.devTools ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] satisfies MenuItem[] : []),
      // Ctrl+0 is the annotator's "fit to window": the page keeps the key (macOS gives the
      // page the first go at key equivalents anyway).
      { role: 'resetZoom', ...(mac ? {} : { registerAccelerator: false }) },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const appMenu: MenuItem[] = mac
    ? [
        {
          label: o.appName,
          submenu: [about, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
        },
      ]
    : [];
  // About sits in the app menu on macOS, in Help elsewhere.
  const help: MenuItem[] = mac ? [] : [{ label: '&Help', submenu: [about] }];
  // The Edit menu is what gives text fields copy, paste and undo on macOS; elsewhere Chromium
  // handles those keys itself, and a menu would take Ctrl+Z and Ctrl+Y from the annotator.
  const edit: MenuItem[] = mac ? [{ role: 'editMenu' }] : [];
  return [...appMenu, file, ...edit, view, { role: 'windowMenu' }, ...help];
}

export interface AboutInfo {
  readonly name: string;
  readonly version: string;
  /** process.versions of the running shell. */
  readonly versions: Readonly<Partial<Record<'electron' | 'chrome' | 'node' | 'v8', string>>>;
  readonly platform: string;
  readonly arch: string;
}

/** The About box: the app and its version, then the versions it runs on. */
export function aboutText(a: AboutInfo): { title: string; message: string; detail: string } {
  const v = (k: keyof AboutInfo['versions']): string => a.versions[k] ?? 'unknown';
  return {
    title: `About ${a.name}`,
    message: `${a.name} ${a.version}`,
    detail: [
      'Semantic segmentation for street scenes with very few labels, helped by self-supervised depth.',
      '',
      `Electron ${v('electron')}`,
      `Chrome ${v('chrome')}`,
      `Node.js ${v('node')}`,
      `V8 ${v('v8')}`,
      `${a.platform} ${a.arch}`,
    ].join('\n'),
  };
}
