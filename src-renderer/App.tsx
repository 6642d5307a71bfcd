import { useEffect, useRef, useState } from 'react';
import type { AppInfo, CatalogBlock, CatalogPort, TemplateSummary } from '../src-main/ipc/api';
import { api, hasApi } from './api';
import { toggleTheme } from './theme';

interface Loaded {
  info: AppInfo;
  templates: TemplateSummary[];
  catalog: CatalogBlock[];
}

type State =
  { status: 'loading' } | { status: 'error'; message: string } | ({ status: 'ready' } & Loaded);

async function load(): Promise<Loaded> {
  const htlnet = api();
  const [info, templates, catalog] = await Promise.all([
    htlnet.appInfo(),
    htlnet.templatesList(),
    htlnet.catalogGet(),
  ]);
  return { info, templates, catalog };
}

export function App() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const about = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    let live = true;
    load().then(
      (loaded) => live && setState({ status: 'ready', ...loaded }),
      (error: unknown) =>
        live &&
        setState({
          status: 'error',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!hasApi()) return; // load() reports the missing engine
    return api().onMenuCommand((command) => {
      if (command === 'view.toggleDark') toggleTheme();
      else if (command === 'help.about') about.current?.showModal();
    });
  }, []);

  const info = state.status === 'ready' ? state.info : null;

  return (
    <div className="app">
      <header className="app-header">
        <h1>HTLNet Studio</h1>
        {info && <BackendBadge backend={info.backend} />}
      </header>
      <main className="app-main">
        {state.status === 'loading' && <p className="muted">Starting the engine…</p>}
        {state.status === 'error' && (
          <p className="error" role="alert">
            {state.message}
          </p>
        )}
        {state.status === 'ready' && (
          <>
            <Templates templates={state.templates} />
            <Catalog catalog={state.catalog} />
          </>
        )}
      </main>
      <dialog ref={about} className="about" aria-labelledby="about-title">
        <h2 id="about-title">HTLNet Studio</h2>
        <p>Build, train and export multi-task hybrid-target recommendation models visually.</p>
        {info && (
          <dl>
            <dt>Version</dt>
            <dd>{info.version}</dd>
            <dt>Compute backend</dt>
            <dd>{info.backend ?? 'none'}</dd>
            <dt>Platform</dt>
            <dd>{info.platform}</dd>
          </dl>
        )}
        <form method="dialog">
          <button type="submit" autoFocus>
            Close
          </button>
        </form>
      </dialog>
    </div>
  );
}

function BackendBadge({ backend }: { backend: string | null }) {
  return backend ? (
    <span className="badge" title="The compute backend the engine runs on">
      compute: {backend}
    </span>
  ) : (
    <span className="badge badge-error" title="Models cannot be trained in this session">
      no compute backend
    </span>
  );
}

function Templates({ templates }: { templates: TemplateSummary[] }) {
  return (
    <section className="panel" aria-labelledby="templates-title">
      <h2 id="templates-title">Templates</h2>
      {templates.length === 0 ? (
        <p className="muted">No templates available.</p>
      ) : (
        <ul className="cards">
          {templates.map((t) => (
            <li key={t.kind} className="card">
              <h3>{t.title}</h3>
              <p>{t.description}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function groupByGroup(catalog: CatalogBlock[]): [string, CatalogBlock[]][] {
  const groups = new Map<string, CatalogBlock[]>();
  for (const block of catalog) {
    const list = groups.get(block.group) ?? [];
    list.push(block);
    groups.set(block.group, list);
  }
  return [...groups];
}

function portTypes(port: CatalogPort): string[] {
  return port.typeByParam ? [...new Set(Object.values(port.typeByParam.types))] : [port.type];
}

function Ports({ label, ports }: { label: string; ports: CatalogPort[] }) {
  if (ports.length === 0) return null;
  return (
    <div className="ports">
      <span className="muted">{label}</span>
      {ports.map((p) => (
        <span
          key={p.name}
          className="port"
          title={
            p.typeByParam
              ? `${p.description} Its type follows the "${p.typeByParam.param}" parameter.`
              : p.description
          }
        >
          {p.title}
          {portTypes(p).map((t) => (
            <span key={t} className={`port-type port-${t}`}>
              {t}
            </span>
          ))}
        </span>
      ))}
    </div>
  );
}

function Catalog({ catalog }: { catalog: CatalogBlock[] }) {
  return (
    <section className="panel" aria-labelledby="catalog-title">
      <h2 id="catalog-title">Blocks</h2>
      {groupByGroup(catalog).map(([group, blocks]) => (
        <div key={group} className="group">
          <h3 className="group-title">{group}</h3>
          <ul className="cards">
            {blocks.map((b) => (
              <li key={b.type} className="card">
                <h4>{b.title}</h4>
                <p>{b.description}</p>
                <Ports label="in" ports={b.inputs} />
                <Ports label="out" ports={b.outputs} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
