// The sandboxed preload: exposes window.htlnet, one typed method per API channel plus the menu
// command subscription. Nothing generic crosses the bridge (no ipcRenderer, no channel names
// chosen by the page). Bundled to CommonJS: sandboxed preloads cannot load ES modules.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  MENU_COMMAND_CHANNEL,
  type ApiArgs,
  type ApiResult,
  type Channel,
  type RendererApi,
} from './ipc/api';
import { isCommandId, type CommandId } from './ipc/shortcuts';
import type { ProjectFile } from './shared/project';

const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

async function invoke<C extends Channel>(channel: C, ...args: ApiArgs<C>): Promise<ApiResult<C>> {
  try {
    return (await ipcRenderer.invoke(channel, ...args)) as ApiResult<C>;
  } catch (error) {
    // Electron wraps the handler's error as "Error invoking remote method 'x': Error: message".
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.replace(REMOTE_PREFIX, ''));
  }
}

const api = {
  appInfo: () => invoke('app:info'),
  catalogGet: () => invoke('catalog:get'),
  templatesList: () => invoke('templates:list'),
  projectValidate: (project: ProjectFile) => invoke('project:validate', project),
  onMenuCommand(callback: (command: CommandId) => void): () => void {
    const listener = (_event: IpcRendererEvent, command: unknown) => {
      if (isCommandId(command)) callback(command);
    };
    ipcRenderer.on(MENU_COMMAND_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(MENU_COMMAND_CHANNEL, listener);
    };
  },
} satisfies RendererApi;

export type HtlnetApi = typeof api;

contextBridge.exposeInMainWorld('htlnet', api);
