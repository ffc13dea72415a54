// What other packages (the hub's upload jobs) use of the agent's engine.
export { type Scene, SceneAnalytics, type SceneCounts } from './analytics/index.ts';
export { loadOpenCV } from './cv.ts';
export { createDetector, type Detector, type DetectorKind } from './detect/index.ts';
export { Engine, type EngineOptions } from './engine/engine.ts';
export { openPipeline, type Pipeline, type PipelineDetector, type PipelineInput } from './engine/pipeline.ts';
export { type RunHooks, type RunStats, runSource } from './engine/run.ts';
export { createLogger } from './log.ts';
export { type FrameSource, openSource } from './source/index.ts';
export { truncationWarning } from './source/truncation.ts';
