// `nestjs-password-reset/bullmq`: answered token requests in Redis through BullMQ, for several instances and
// crash safety. Only this entry loads bullmq (an optional peer).
export {
  BullMqTokenRequestQueue,
  DEFAULT_BULLMQ_PREFIX,
  DEFAULT_BULLMQ_QUEUE_NAME,
} from './queue/bullmq-token-request.queue.js';
export type { BullMqTokenRequestQueueOptions } from './queue/bullmq-token-request.queue.js';
