// Experiments: variants of a project (parameter paths, lists, grids, the HTLNet ablation),
// several seeds per variant, and the statistics that say which differences clear seed noise.
// Plain engine code: no host, Electron or UI imports; the CLI and the app's queue drive it.

export * from './params';
export * from '../../shared/experiments/report';
export * from '../../shared/experiments/stats';
export * from './variants';
