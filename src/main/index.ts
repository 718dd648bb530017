// Electron main process: a thin shell. It opens the window and routes API calls from the
// preload to the core service; all logic lives in src/core.
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { API_CHANNEL, API_EVENT_CHANNEL, validateCall } from '../core/api/contract';
import { createService, dispatch } from '../core/api/service';

const service = createService('electron', {
  version: app.getVersion(),
  recentFile: join(app.getPath('userData'), 'recent-projects.json'),
  // Training and selection run in worker threads (out/main/workerEntry.mjs, which runs the
  // built trainingWorker entry), so the window never waits on them.
  emit: (event, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(API_EVENT_CHANNEL, event, payload);
  },
});

/** Every call is validated against its schema before it reaches the core. */
function wireApi(): void {
  ipcMain.handle(API_CHANNEL, async (_event, method: unknown, params: unknown) => {
    const call = validateCall(method, params);
    return dispatch(service, call.method, call.params);
  });
}

/** Only well-formed https: links leave the app (to the system browser). */
function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'DepthSeg Workbench',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // No middle-click "open in new window" path around the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  // No remote content: links open in the system browser, navigation away is refused.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isHttpsUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
}

app.whenReady().then(() => {
  // The app asks for no camera, microphone, notifications...: refuse every permission.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  wireApi();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('will-quit', () => service.close());

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
