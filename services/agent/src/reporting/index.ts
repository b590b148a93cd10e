export { bundleFetchFailed, toBindingStatus } from './binding-status.js';
export { StatusSequence } from './sequence.js';
export { StatusReporter, type StatusLink, type StatusReporterOptions } from './status-reporter.js';
