import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOptional } from './optional-import.util.js';

const ABSENT = 'nestjs-password-reset-absent-package';

describe('importOptional', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optional-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads an installed package', async () => {
    const swagger = await importOptional<typeof import('@nestjs/swagger')>('@nestjs/swagger');
    expect(typeof swagger?.SwaggerModule.createDocument).toBe('function');
  });

  it('resolves to undefined for a package that is not installed', async () => {
    await expect(importOptional(ABSENT)).resolves.toBeUndefined();
    await expect(importOptional(`@${ABSENT}/scoped`)).resolves.toBeUndefined();
  });

  it('throws when the package is there but a module it imports is missing (a broken install)', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, `import '${ABSENT}';\n`);
    // The same not-found error as an absent package, but naming the dependency, not the package asked for.
    await expect(importOptional(broken)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ERR_)?MODULE_NOT_FOUND$/),
      message: expect.stringContaining(`'${ABSENT}'`),
    });
  });

  it('throws what the package throws while loading', async () => {
    const failing = join(dir, 'failing.mjs');
    writeFileSync(failing, `throw new Error('cannot start here');\n`);
    await expect(importOptional(failing)).rejects.toThrow('cannot start here');
  });
});
