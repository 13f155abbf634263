/**
 * Prometheus metrics on their own registry (so tests can create several apps in one process), chosen to answer one
 * question: is delivery healthy? Every metric is listed, with what it means, in docs/api.md ("Metrics").
 * Hot-path metrics are plain counter increments and one histogram observation per delivered notification;
 * anything that needs a query (outbox depth, Postgres and Redis up) is read at scrape time only.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Open sockets on this process. */
  connections(): number;
  /** Notifications waiting in the outbox (all processes), read at scrape time. */
  outboxDepth(): Promise<number>;
  /** Whether Postgres and the bus answer, read at scrape time. */
  dependencies(): Promise<{ postgres: boolean; bus: boolean }>;
}

export interface Metrics {
  registry: Registry;
  /** Rows committed by this process's ingest. */
  ingested: Counter;
  /** Records one notification written to this process's sockets; `createdAtMs` is the row's created_at. */
  delivered(createdAtMs: number): void;
  /** Frames Bun dropped because every subscriber's buffer was full. */
  framesDropped: Counter;
  /** Sockets closed, by close code. */
  socketsClosed: Counter<'code'>;
  /** Bus publishes that failed (the outbox relays them later). */
  publishFailures: Counter;
  /** Notifications the outbox relay published for a process that did not. */
  relayed: Counter;
  /** Stops the event-loop sampler. */
  stop(): void;
}

/** Delivery buckets, seconds: the target is well under 2 s at p95, so resolution is spent below that. */
const deliveryBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/** How often the event-loop sampler wakes; its lateness is the lag. */
const lagSampleMs = 500;

/** Creates the registry; `sources` are read at scrape time. */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({
    name: 'belfry_ws_connections',
    help: 'Open WebSocket connections on this process',
    registers,
    collect() {
      this.set(sources.connections());
    },
  });
  const ingested = new Counter({ name: 'belfry_notifications_ingested_total', help: 'Notifications committed by this process', registers });
  const deliveries = new Counter({
    name: 'belfry_deliveries_total',
    help: "Notifications written to this process's sockets (one per notification per process, whatever the tab count)",
    registers,
  });
  const latency = new Histogram({
    name: 'belfry_delivery_latency_seconds',
    help: "From the row's created_at (the inserting transaction's start, so the commit is included) to the socket write",
    buckets: deliveryBuckets,
    registers,
  });
  const framesDropped = new Counter({ name: 'belfry_frames_dropped_total', help: 'Frames dropped by full socket buffers', registers });
  const socketsClosed = new Counter({ name: 'belfry_sockets_closed_total', help: 'Sockets closed, by WebSocket close code', labelNames: ['code'], registers });
  const publishFailures = new Counter({ name: 'belfry_bus_publish_failures_total', help: 'Bus publishes that failed; the outbox relays them', registers });
  const relayed = new Counter({ name: 'belfry_outbox_relayed_total', help: 'Notifications published by the outbox relay', registers });
  new Gauge({
    name: 'belfry_outbox_depth',
    help: 'Notifications in the outbox waiting for their publish (all processes; -1 when Postgres does not answer)',
    registers,
    async collect() {
      this.set(await sources.outboxDepth().catch(() => -1));
    },
  });
  new Gauge({
    name: 'belfry_dependency_up',
    help: 'Whether Postgres and the bus answer (1) or not (0)',
    labelNames: ['dependency'],
    registers,
    // One collect for both, so a scrape runs the two checks once and in parallel.
    async collect() {
      const state = await sources.dependencies();
      this.set({ dependency: 'postgres' }, state.postgres ? 1 : 0);
      this.set({ dependency: 'bus' }, state.bus ? 1 : 0);
    },
  });
  // Bun's monitorEventLoopDelay does not see long synchronous stretches, so lag is measured as a timer's lateness.
  let worstLagMs = 0;
  new Gauge({
    name: 'belfry_event_loop_lag_seconds',
    help: 'Largest event-loop delay seen since the last scrape',
    registers,
    collect() {
      this.set(Math.max(0, worstLagMs) / 1000);
      worstLagMs = 0;
    },
  });
  let expected = performance.now() + lagSampleMs;
  const sampler = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - expected);
    expected = now + lagSampleMs;
  }, lagSampleMs);
  sampler.unref();

  return {
    registry,
    ingested,
    delivered(createdAtMs) {
      deliveries.inc();
      latency.observe(Math.max(0, Date.now() - createdAtMs) / 1000);
    },
    framesDropped,
    socketsClosed,
    publishFailures,
    relayed,
    stop: () => clearInterval(sampler),
  };
}
