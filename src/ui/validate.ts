/**
 * Checks a decoded experiment against what this installation actually has (prepared data sets, the
 * model zoo) and falls back, with a plain-text notice per problem. Pure: no DOM, no fetch.
 */
import { LABS } from '../labs/index';
import { DATASETS } from '../core/data/datasets';
import { cloneExperiment, conformExperiment, DEFAULT_EXPERIMENT, type Experiment } from '../labs/experiment';
import type { ModelCard } from '../core/models/card';

export interface DatasetAvailability {
  ok: boolean;
  message: string;
}

export interface Catalog {
  datasets: Record<string, DatasetAvailability>;
  models: ModelCard[];
}

export function datasetName(id: string): string {
  return DATASETS[id]?.name ?? id;
}

/** Bundled data sets must have been prepared; imported ones (CIFAR-10) are always selectable: the user imports them in the lab. */
export function isDatasetAvailable(catalog: Catalog, id: string): boolean {
  if (DATASETS[id]?.origin === 'imported') return true;
  return !!DATASETS[id] && catalog.datasets[id]?.ok === true;
}

/** The user's own model (loaded from files): it lives in this page only, never in the zoo or a link. */
export const OWN_MODEL_ID = 'own-model';

export function modelsFor(catalog: Catalog, datasetId: string): ModelCard[] {
  return catalog.models.filter((m) => m.dataset === datasetId);
}

/** The model to show for a data set: the default model when it fits, else the first in the zoo. */
export function preferredModel(catalog: Catalog, datasetId: string): ModelCard | undefined {
  const list = modelsFor(catalog, datasetId);
  return list.find((m) => m.id === DEFAULT_EXPERIMENT.model) ?? list[0];
}

export function validateExperiment(input: Experiment, catalog: Catalog): { experiment: Experiment; notices: string[] } {
  const e = cloneExperiment(input);
  const notices: string[] = [];
  if (!LABS.some((l) => l.id === e.lab)) {
    notices.push(`The lab "${e.lab}" does not exist; the ${LABS[0].title} lab is shown instead.`);
    e.lab = LABS[0].id;
  }
  if (!DATASETS[e.dataset]) {
    notices.push(`The data set "${e.dataset}" is not known to the lab; ${datasetName(DEFAULT_EXPERIMENT.dataset)} is shown instead.`);
    e.dataset = DEFAULT_EXPERIMENT.dataset;
  }
  if (!isDatasetAvailable(catalog, e.dataset)) {
    const why = catalog.datasets[e.dataset]?.message ?? 'it was not prepared (run npm run prepare-data)';
    const fallback = Object.keys(DATASETS).find((id) => isDatasetAvailable(catalog, id));
    if (fallback && fallback !== e.dataset) {
      notices.push(`${datasetName(e.dataset)} is not available here (${why}); ${datasetName(fallback)} is shown instead.`);
      e.dataset = fallback;
    } else {
      notices.push(`${datasetName(e.dataset)} is not available here (${why}).`);
    }
  }
  const size = DATASETS[e.dataset].sizes.test;
  if (e.sample >= size) {
    notices.push(`Test image ${e.sample} does not exist in ${datasetName(e.dataset)} (0..${size - 1}); image 0 is shown.`);
    e.sample = 0;
  }
  const card = catalog.models.find((m) => m.id === e.model);
  if (!card || card.dataset !== e.dataset) {
    const fallback = preferredModel(catalog, e.dataset);
    const problem = !card
      ? e.model === OWN_MODEL_ID
        ? 'The link named your own model, which links cannot carry (it stays in the page that loaded it)'
        : `The model "${e.model}" is not in the model zoo`
      : `The model "${e.model}" was trained on ${datasetName(card.dataset)}, not ${datasetName(e.dataset)}`;
    if (fallback) {
      notices.push(`${problem}; ${fallback.id} is used instead.`);
      e.model = fallback.id;
    } else {
      notices.push(`${problem}, and the zoo has no model for ${datasetName(e.dataset)} yet.`);
    }
  }
  const extra = e.batch.models.filter((id) => catalog.models.some((m) => m.id === id && m.dataset === e.dataset) && id !== e.model);
  const dropped = e.batch.models.filter((id) => !extra.includes(id) && id !== e.model);
  if (dropped.length > 0)
    notices.push(
      `The robustness check's ${dropped.length === 1 ? 'model' : 'models'} ${dropped.join(', ')} ${dropped.length === 1 ? 'is' : 'are'} not in the zoo for ${datasetName(e.dataset)}; left out of the curve.`,
    );
  e.batch.models = extra;
  const conformed = conformExperiment(e);
  return { experiment: conformed.experiment, notices: [...notices, ...conformed.notes] };
}
