// `seccompile learn`: policies written from what a program really does, seen through seccomp user
// notification by a native helper (native/seccompile-learn.c). See docs/learn.md.
export { LEARN_PROTOCOL, RecordReader, parseRecords, valuesKey, type ArgumentValues, type CallAbi, type LearnedRun, type LearnProgress } from './records.ts';
export { learnedPolicy, learnedProfile, mergeLearned, shellQuote, type LearnedPolicyOptions, type MergeResult } from './policy.ts';
export { learnedCondition, resolvedTracking, TRACKED_ARGUMENTS, type LearnedCondition, type TrackedArgument } from './args.ts';
export { topicOf, topicOrder, TOPICS } from './topics.ts';
export { HELPER_ENV, HELPER_RELATIVE_PATH, locateHelper, runLearn, type HelperLocation, type LearnRunOptions, type LearnRunResult } from './helper.ts';
export { packageRoot } from '../host/package-root.ts';
