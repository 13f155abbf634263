/**
 * Prometheus metrics on their own registry (so tests can create several apps in one process).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  ingested: Counter;
}

/** Creates the registry; `connections` is read at scrape time from the gateway. */
export function createMetrics(connections: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'belfry_ws_connections',
    help: 'Open WebSocket connections on this process',
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  const ingested = new Counter({
    name: 'belfry_notifications_ingested_total',
    help: 'Notifications committed by this process',
    registers: [registry],
  });
  return { registry, ingested };
}
