// Electron main process: a thin shell. It opens the window, routes API calls from the preload
// to the core service, and wires the menu, the system's dialogs and the window's remembered
// place; all logic lives in src/core (the menu and window state in src/core/desktop).
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, type OpenDialogOptions } from 'electron';
import { join } from 'node:path';
import {
  API_CHANNEL,
  API_EVENT_CHANNEL,
  validateCall,
  type ApiErrorPayload,
  type ApiEvent,
  type ApiEvents,
  type MenuCommand,
} from '../core/api/contract';
import { listRecent } from '../core/api/recentProjects';
import { createService, dispatch } from '../core/api/service';
import { unpackedPath } from '../core/asarPath';
import { aboutText, applicationMenu } from '../core/desktop/menu';
import { remoteServer } from '../core/desktop/remoteServer';
import { MIN_WINDOW_SIZE, placeWindow, readWindowState, writeWindowState } from '../core/desktop/windowState';

const APP_NAME = 'DepthSeg Workbench';

/** An API call's answer over IPC: a failure travels as a value, see wireApi. */
type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: ApiErrorPayload };

/** Only well-formed https: links leave the app (to the system browser). */
function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function main(): void {
  // `--remote URL`: the window shows a team server's page (docs/team-server.md) instead of a local project.
  let remote: URL | null;
  try {
    remote = remoteServer(process.argv);
  } catch (e) {
    dialog.showErrorBox(APP_NAME, e instanceof Error ? e.message : String(e));
    app.exit(2);
    return;
  }
  // The app's own settings live in Electron's userData folder.
  const userData = app.getPath('userData');
  const recentFile = join(userData, 'recent-projects.json');
  const windowStateFile = join(userData, 'window-state.json');
  let win: BrowserWindow | null = null;
  let projectOpen = false;

  const service = createService('electron', {
    version: app.getVersion(),
    recentFile,
    // Training and selection run in worker threads (out/main/workerEntry.mjs, which runs the
    // built trainingWorker entry), so the window never waits on them.
    emit: (event, payload) => {
      // The menu follows the core's own word on what is open (a stale window's close closes nothing).
      if (event === 'project.closed') {
        projectOpen = false;
        refreshMenu();
      }
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(API_EVENT_CHANNEL, event, payload);
    },
  });

  function send<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    win?.webContents.send(API_EVENT_CHANNEL, event, payload);
  }
  const command = (c: MenuCommand): void => send('menu.command', c);

  /** The system's folder dialog (it can create a folder); the chosen folder goes to the window. */
  function chooseFolder(title: string, buttonLabel: string, then: (dir: string) => MenuCommand): void {
    const options: OpenDialogOptions = { title, buttonLabel, properties: ['openDirectory', 'createDirectory'] };
    (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options)).then(
      (r) => {
        const dir = r.canceled ? undefined : r.filePaths[0];
        if (dir) command(then(dir));
      },
      (e: unknown) => console.error(`folder dialog failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  function showAbout(): void {
    const text = aboutText({ name: APP_NAME, version: app.getVersion(), versions: process.versions, platform: process.platform, arch: process.arch });
    const options = { type: 'info' as const, buttons: ['OK'], ...text };
    void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  }

  /** The menu shows the recent projects and whether one is open: rebuilt when those change. */
  function refreshMenu(): void {
    const template = applicationMenu({
      appName: APP_NAME,
      platform: process.platform,
      recent: listRecent(recentFile),
      projectOpen,
      devTools: !app.isPackaged,
      actions: {
        newProject: () => chooseFolder('New project: choose or create its folder', 'Use folder', (dir) => ({ command: 'project.new', dir })),
        openProject: () => chooseFolder('Open project', 'Open', (dir) => ({ command: 'project.open', dir })),
        openRecent: (dir) => command({ command: 'project.open', dir }),
        closeProject: () => command({ command: 'project.close' }),
        about: showAbout,
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  /**
   * Every call is validated against its schema before it reaches the core. A failure travels
   * as a value ({name, message}, like the host's answer): an Error thrown through
   * ipcMain.handle reaches the renderer as "Error invoking remote method ..." without its name,
   * and the window needs the name (ProjectClosedError) to know its project was closed elsewhere.
   */
  function wireApi(): void {
    ipcMain.handle(API_CHANNEL, async (_event, method: unknown, params: unknown): Promise<IpcAnswer> => {
      try {
        const call = validateCall(method, params);
        const result = await dispatch(service, call.method, call.params);
        if (call.method === 'projectOpen' || call.method === 'projectCreate') {
          projectOpen = true;
          refreshMenu();
        }
        return { ok: true, result };
      } catch (e) {
        return { ok: false, error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) } };
      }
    });
  }

  function createWindow(): void {
    const primary = screen.getPrimaryDisplay();
    const displays = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)];
    const placed = placeWindow(readWindowState(windowStateFile), displays.map((d) => d.workArea));
    const w = new BrowserWindow({
      ...placed.bounds,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: APP_NAME,
      // Linux shows this in the task bar (Windows and macOS take the packaged app's icon).
      icon: unpackedPath(join(__dirname, '../../resources/icon.png')),
      webPreferences: {
        // A team server's page gets no preload: it reaches only its server, never this machine's core.
        ...(remote ? {} : { preload: join(__dirname, '../preload/index.cjs') }),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        // No middle-click "open in new window" path around the window-open handler.
        disableBlinkFeatures: 'Auxclick',
      },
    });
    win = w;
    if (placed.maximized) w.maximize();
    w.once('ready-to-show', () => w.show());
    // No remote content: links open in the system browser, navigation away is refused.
    w.webContents.setWindowOpenHandler(({ url }) => {
      if (isHttpsUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    w.webContents.on('will-navigate', (e) => e.preventDefault());

    // The window's size and place, saved a moment after it changes and when it closes.
    const save = (): void => {
      if (w.isDestroyed() || w.isMinimized() || w.isFullScreen()) return;
      try {
        writeWindowState(windowStateFile, { bounds: w.getNormalBounds(), maximized: w.isMaximized() });
      } catch (e) {
        console.error(`could not save the window state: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const saveSoon = (): void => {
      clearTimeout(timer);
      timer = setTimeout(save, 500);
    };
    w.on('resize', saveSoon);
    w.on('move', saveSoon);
    w.on('maximize', saveSoon);
    w.on('unmaximize', saveSoon);
    w.on('close', () => {
      clearTimeout(timer);
      save();
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });

    const devUrl = process.env['ELECTRON_RENDERER_URL'];
    if (remote) void w.loadURL(remote.href);
    else if (devUrl) void w.loadURL(devUrl);
    else void w.loadFile(join(__dirname, '../renderer/index.html'));
  }

  // A second launch hands over to this one: show and focus the window it has.
  app.on('second-instance', () => {
    if (!win) {
      if (app.isReady()) createWindow();
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });

  void app.whenReady().then(() => {
    // The app asks for no camera, microphone, notifications...: refuse every permission.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    wireApi();
    refreshMenu();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('will-quit', () => service.close());

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// One instance per user: a second launch focuses the first one's window and quits.
if (app.requestSingleInstanceLock()) main();
else app.quit();
