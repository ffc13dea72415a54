export { type AssignmentPairs, AssignmentSolver, linearSumAssignment } from './assignment.ts';
export { DEFAULT_KALMAN, KalmanFilter, type KalmanOptions } from './kalman.ts';
export {
  DEFAULT_TRACKER_OPTIONS,
  DEFAULT_TRACKER_TIMING,
  Tracker,
  type TrackerOptions,
  type TrackerTiming,
  trackerFrames,
} from './tracker.ts';
