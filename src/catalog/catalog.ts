import type { CatalogModel } from './models.js';

/** The catalog indexed for lookups by any id a client or a provider may use. */
export interface Catalog {
  readonly models: readonly CatalogModel[];
  /** Find a model by its canonical id or any provider id, case-insensitive; a date suffix (`-20251101`) is ignored. */
  find(id: string): CatalogModel | undefined;
}

const DATE_SUFFIX = /-\d{8}$/;

export function createCatalog(models: readonly CatalogModel[]): Catalog {
  const index = new Map<string, CatalogModel>();
  for (const model of models) {
    const ids = [model.id, ...Object.values(model.providerIds)];
    for (const id of ids) if (id) index.set(id.toLowerCase(), model);
  }
  return {
    models,
    find(id) {
      const key = id.trim().toLowerCase();
      return index.get(key) ?? index.get(key.replace(DATE_SUFFIX, ''));
    },
  };
}
