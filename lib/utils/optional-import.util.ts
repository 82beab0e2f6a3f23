/**
 * Imports an optional peer dependency: undefined when the package itself is not installed. Any other failure
 * (the package present but broken, or one of its own dependencies missing) is thrown, so it is never hidden.
 */
export async function importOptional<Module>(specifier: string): Promise<Module | undefined> {
  try {
    return (await import(specifier)) as Module;
  } catch (error) {
    if (isNotInstalled(error, specifier)) return undefined;
    throw error;
  }
}

/** Node (ERR_MODULE_NOT_FOUND) and bundlers or Jest (MODULE_NOT_FOUND) both quote the name that was not found. */
function isNotInstalled(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${specifier}'`)
  );
}
