import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import { PASSWORD_RESET_LOGGER_CONTEXT } from '../password-reset.constants.js';
import { settleWithin, withDeadline } from '../utils/deadline.util.js';
import { describeError } from '../utils/redact.util.js';
import {
  randomStartDelay,
  TokenRequest,
  TokenRequestHandler,
  TokenRequestQueue,
  TokenRequestQueueSettings,
} from './token-request.queue.js';

export interface BullMqTokenRequestQueueOptions {
  /**
   * The Redis to keep requests in: ioredis options (BullMQ then opens and closes its connections) or an ioredis
   * client of yours, created with `maxRetriesPerRequest: null` as BullMQ's workers need.
   */
  connection: ConnectionOptions;
  /** BullMQ's key prefix. Default `{password_reset}`: the braces are a Redis Cluster hash tag. */
  prefix?: string;
  /** Default `token-requests`. */
  queueName?: string;
  /**
   * Run a worker in this process. Default true: every instance serves and works. false in web instances whose
   * requests dedicated worker processes (the same module, no HTTP server) run.
   */
  worker?: boolean;
  /** Requests one worker runs at a time; each mostly waits on the database and the mail server. Default 32. */
  concurrency?: number;
  /**
   * How long a worker holds a request before others may take it over as stalled (ms; renewed while it works).
   * Default 30000: a crashed instance's requests are run by another within about twice this.
   */
  lockDuration?: number;
  /** How often a worker looks for stalled requests (ms). Default 30000. */
  stalledInterval?: number;
  /** `enqueue` rejects (the endpoint answers 503) when Redis has not stored the request in this time (ms). Default 1000. */
  enqueueTimeout?: number;
}

export const DEFAULT_BULLMQ_PREFIX = '{password_reset}';
export const DEFAULT_BULLMQ_QUEUE_NAME = 'token-requests';

type Resolved = Required<Omit<BullMqTokenRequestQueueOptions, 'connection'>>;

const DEFAULTS: Resolved = {
  prefix: DEFAULT_BULLMQ_PREFIX,
  queueName: DEFAULT_BULLMQ_QUEUE_NAME,
  worker: true,
  concurrency: 32,
  lockDuration: 30_000,
  stalledInterval: 30_000,
  enqueueTimeout: 1000,
};

const isPositiveInteger = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
const CHECKS: Record<keyof Resolved, [(value: unknown) => boolean, string]> = {
  prefix: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  queueName: [(v) => typeof v === 'string' && /^[A-Za-z0-9_-]+$/.test(v), 'letters, digits, "_" and "-"'],
  worker: [(v) => typeof v === 'boolean', 'a boolean'],
  concurrency: [(v) => isPositiveInteger(v) && (v as number) <= 1000, 'an integer from 1 to 1000'],
  lockDuration: [(v) => isPositiveInteger(v) && (v as number) >= 1000, 'at least 1000 ms'],
  stalledInterval: [(v) => isPositiveInteger(v) && (v as number) >= 1000, 'at least 1000 ms'],
  enqueueTimeout: [(v) => isPositiveInteger(v) && (v as number) <= 60_000, 'a whole number of ms up to 60000'],
};

/** How often `drain` looks at the counts. */
const DRAIN_POLL_MS = 25;

/**
 * Answered requests kept in Redis by BullMQ, run by workers in any instance: a request survives the crash of
 * the instance that took it (its lock lapses and another worker takes it over), a failing delivery is
 * retried with exponential backoff, and finished requests are deleted at once, so lookup values do not
 * linger in Redis. A job holds the lookup value, client and locale only: the worker makes the token.
 */
export class BullMqTokenRequestQueue extends TokenRequestQueue implements BeforeApplicationShutdown {
  protected readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  protected readonly options: Resolved;
  private readonly connection: ConnectionOptions;
  private queue?: Queue;
  private worker?: Worker;
  private settings?: TokenRequestQueueSettings;

  constructor(given: BullMqTokenRequestQueueOptions) {
    super();
    if (typeof given !== 'object' || given === null || given.connection === undefined) {
      throw new PasswordResetConfigurationError('BullMqTokenRequestQueue: option "connection" is required');
    }
    const { connection, ...rest } = given;
    this.connection = connection;
    for (const [key, value] of Object.entries(rest)) {
      if (!Object.hasOwn(CHECKS, key)) {
        throw new PasswordResetConfigurationError(`BullMqTokenRequestQueue: unknown option "${key}"`);
      }
      const [check, expected] = CHECKS[key as keyof Resolved];
      if (value !== undefined && !check(value)) {
        throw new PasswordResetConfigurationError(`BullMqTokenRequestQueue: option "${key}" must be ${expected}`);
      }
    }
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
  }

  async start(handler: TokenRequestHandler, settings: TokenRequestQueueSettings): Promise<void> {
    this.settings = settings;
    const { prefix, queueName, concurrency, lockDuration, stalledInterval } = this.options;
    const connection = this.connection;
    this.queue = new Queue(queueName, { connection, prefix });
    this.queue.on('error', (error) => this.logger.error(`Token request queue: ${describeError(error)}`));
    if (!this.options.worker) return;
    this.worker = new Worker<TokenRequest>(queueName, (job) => this.run(handler, job), {
      connection,
      prefix,
      concurrency,
      lockDuration,
      stalledInterval,
    });
    this.worker.on('error', (error) => this.logger.error(`Token request worker: ${describeError(error)}`));
  }

  async enqueue(request: TokenRequest): Promise<void> {
    const queue = this.requireQueue();
    const { attempts, backoff } = this.settings!;
    try {
      await withDeadline(
        () =>
          queue.add('token-request', request, {
            attempts,
            backoff: { type: 'exponential', delay: backoff },
            delay: randomStartDelay(this.settings!),
            // Nothing of a finished request stays: its job, with the lookup value, is deleted at once.
            removeOnComplete: true,
            removeOnFail: true,
          }),
        this.options.enqueueTimeout,
      );
    } catch (error) {
      this.logger.error(`A token request could not be queued in Redis: ${describeError(error)}`);
      throw error;
    }
  }

  /** Promotes delayed requests (first runs and retries) and waits until no request is left, in any instance. */
  async drain(): Promise<void> {
    const queue = this.requireQueue();
    for (;;) {
      await queue.promoteJobs();
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(counts).every((count) => count === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  /**
   * Lets the requests in flight finish, for `queue.shutdownTimeout` at most; then stops without them (their
   * locks lapse and another worker runs them again).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.worker) {
      const timeout = this.settings!.shutdownTimeout;
      // pause(): no new request is taken, and it resolves once the running ones are done. (A close() that timed
      // out could not be forced afterwards: BullMQ hands every later close() the first one's promise.)
      if (!(await settleWithin(this.worker.pause(), timeout))) {
        this.logger.warn(`Token requests still running ${timeout} ms into shutdown are left to another worker`);
      }
    }
    // A Redis that is down as the app stops must not fail its close: the requests are Redis's to keep.
    for (const close of [() => this.worker?.close(true), () => this.queue?.close()]) {
      try {
        await close();
      } catch (error) {
        this.logger.warn(`The token request queue closed with an error: ${describeError(error)}`);
      }
    }
  }

  /** Its Redis answers. */
  override async ping(): Promise<void> {
    // BullMQ's client type leaves ping out; the client is an ioredis Redis or Cluster, which both have it.
    const client = (await this.requireQueue().client) as unknown as { ping(): Promise<unknown> };
    await client.ping();
  }

  private async run(handler: TokenRequestHandler, job: Job<TokenRequest>): Promise<void> {
    const number = job.attemptsMade + 1;
    await handler(job.data, { number, final: number >= (job.opts.attempts ?? 1) });
  }

  private requireQueue(): Queue {
    if (!this.queue) throw new Error('the token request queue was used before the module started it');
    return this.queue;
  }
}
