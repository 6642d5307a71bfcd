// Builds the renderer's API object (one method per channel) over any transport: Electron's
// ipcRenderer.invoke in the preload, fetch in browser mode. Pure: no Electron, Node or DOM.

import { CHANNELS, type Channel, type InvokeApi, type MethodName } from './api';

export function methodName<C extends Channel>(channel: C): MethodName<C> {
  const [scope, action] = channel.split(':');
  return (scope + action[0].toUpperCase() + action.slice(1)) as MethodName<C>;
}

export type Invoke = (channel: Channel, args: unknown[]) => Promise<unknown>;

export function createInvokeApi(invoke: Invoke): InvokeApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const channel of CHANNELS) {
    api[methodName(channel)] = (...args: unknown[]) => invoke(channel, args);
  }
  return api as InvokeApi;
}
