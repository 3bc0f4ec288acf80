/** Samples of a Prometheus text exposition: `name{label="v",…}` -> value. */
export type Samples = Map<string, number>;

export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const text = line.slice(cut + 1);
    const value = /^nan$/i.test(text) ? Number.NaN : Number(text);
    if (cut === -1 || (Number.isNaN(value) && !/^nan$/i.test(text))) throw new Error(`not a sample line: ${line}`);
    samples.set(line.slice(0, cut), value);
  }
  return samples;
}

/** A sample's key as prom-client writes it: labels in the order given. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** The sample's value; 0 when it is absent, as an untouched counter reads. */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  return samples.get(sampleKey(name, labels)) ?? 0;
}
