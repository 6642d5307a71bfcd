// The Model screen: palette | canvas | inspector, with the problems panel below.

import { Canvas } from './Canvas';
import { Inspector } from './Inspector';
import { Palette } from './Palette';
import { ProblemsPanel } from './ProblemsPanel';

export function Editor() {
  return (
    <div className="editor" data-testid="editor">
      <Palette />
      <div className="editor-centre">
        <Canvas />
        <ProblemsPanel />
      </div>
      <Inspector />
    </div>
  );
}
