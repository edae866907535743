// The one handler every variant of bench/run.mjs runs (issue 15): the runtime is what differs.
export const handler = async (event, context) => ({ event, requestId: context.awsRequestId });
