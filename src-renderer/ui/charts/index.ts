export { BarChart, histogramBars } from './BarChart';
export { ChartCard, ReadingNote } from './ChartCard';
export { LineChart, type Series } from './LineChart';
export { downloadBlob, pngName, serializeChart, svgToPng } from './png';
export { ScatterChart } from './ScatterChart';
