export { BarChart, histogramBars, type Bar } from './BarChart';
export { ChartCard, ReadingNote } from './ChartCard';
export { LineChart, type Series } from './LineChart';
export { downloadBlob, pngName, saveChartPng, serializeChart, svgToPng } from './png';
export { ScatterChart, type ScatterGroup } from './ScatterChart';
