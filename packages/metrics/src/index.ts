export { PrometheusInstrumentation, type PrometheusInstrumentationOptions } from './prometheus-instrumentation.js';
export { metricsRequestHandler } from './metrics-handler.js';
