import type { PresetTaxonomyName } from './taxonomies.ts';

/** A scripted episode as written: its id and duration are derived in index.ts. */
export interface SampleScript {
  expectedTopic: string;
  title: string;
  text: string;
}

/** One entry of the built-in sample library. */
export interface SampleEpisode extends SampleScript {
  /** URL-safe id, e.g. `sports-01`, served as `/samples/<id>.mp3` and `.wav`. */
  id: string;
  taxonomy: PresetTaxonomyName;
  /** Whole seconds the script takes to read aloud at an unhurried pace. */
  durationSeconds: number;
}

/** What `GET /samples/index.json` lists for each sample. */
export interface SampleIndexEntry {
  id: string;
  url: string;
  title: string;
  taxonomy: PresetTaxonomyName;
  expectedTopic: string;
  durationSeconds: number;
}
