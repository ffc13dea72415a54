export { type AssignmentPairs, AssignmentSolver, linearSumAssignment } from './assignment.ts';
export { DEFAULT_KALMAN, KalmanFilter, type KalmanOptions } from './kalman.ts';
export { DEFAULT_TRACKER_OPTIONS, Tracker, type TrackerOptions } from './tracker.ts';
