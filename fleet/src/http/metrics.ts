import { Counter, Gauge, Registry } from 'prom-client';

/** One number the fleet exposes to Prometheus, read when scraped. */
export interface MetricSource {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  value: () => number;
}

/** A prom-client registry whose gauges and counters read their sources at each scrape. */
export function metricsRegistry(sources: readonly MetricSource[]): Registry {
  const registry = new Registry();
  for (const source of sources) {
    const common = { name: source.name, help: source.help, registers: [registry] };
    if (source.type === 'gauge')
      new Gauge({
        ...common,
        collect() {
          this.set(source.value());
        },
      });
    else
      new Counter({
        ...common,
        collect() {
          this.reset();
          this.inc(source.value());
        },
      });
  }
  return registry;
}
