// Entry of the custom ECharts build. builder/vendor.go bundles it with
// esbuild (minified IIFE, ES2018) into one script that defines the global
// `echarts`, read by charts.js.
//
// Only the modules the dashboards use are bundled: line and bar charts
// (the age pyramid is a horizontal bar chart), grid, tooltip, legend (plain
// and scroll), aria, the SVG renderer and the French locale. A chart that
// needs another module (title, markLine, dataset, ...) must add it here;
// ECharts ignores, without a word, an option whose component is missing.
import { use, registerLocale } from 'echarts/core';
import { LineChart, BarChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  AriaComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import langFR from 'echarts/i18n/langFR-obj.js';

use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  AriaComponent,
  SVGRenderer,
]);
registerLocale('FR', langFR);

// The API charts.js and the tests use; exporting all of echarts/core would
// add 13 KB for nothing.
export {
  init,
  getInstanceByDom,
  dispose,
  registerLocale,
  version,
} from 'echarts/core';
