// Default folders of the app outside Electron (Electron's main process uses app.getPath()).

import os from 'node:os';
import path from 'node:path';

/** Where projects, imported data and models go by default. */
export function defaultWorkspace(): string {
  return process.env.HTLNET_WORKSPACE ?? path.join(os.homedir(), 'HTLNet Studio');
}

/** The app's own state: recent projects, the recovery snapshot, runs. */
export function defaultDataDir(): string {
  if (process.env.HTLNET_DATA_DIR) return process.env.HTLNET_DATA_DIR;
  if (process.platform === 'win32' && process.env.APPDATA) {
    return path.join(process.env.APPDATA, 'HTLNet Studio');
  }
  if (process.platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', 'HTLNet Studio');
  }
  const config = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(config, 'htlnet-studio');
}
