// The Model screen: palette | canvas | inspector, with the problems panel below. What the empty
// canvas offers beyond templates and opening a file comes from the app (`emptyAction`), so the
// editor does not reach into another feature.

import type { ReactNode } from 'react';
import { Canvas } from './Canvas';
import { Inspector } from './Inspector';
import { Palette } from './Palette';
import { ProblemsPanel } from './ProblemsPanel';

export function Editor({ emptyAction }: { emptyAction?: ReactNode }) {
  return (
    <div className="editor" data-testid="editor">
      <Palette />
      <div className="editor-centre">
        <Canvas emptyAction={emptyAction} />
        <ProblemsPanel />
      </div>
      <Inspector />
    </div>
  );
}
