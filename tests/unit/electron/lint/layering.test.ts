import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'

// Plants forbidden imports in virtual files and checks that the lint rules that guard the
// dependency direction (../shared/STYLE.md §2) catch each one.
// Planted files do not exist on disk, so type-aware rules are switched off; the layering rules
// are syntactic and stay on.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: [tseslint.configs.disableTypeChecked]
})

async function messages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? ''}: ${m.message}`)
}

const layering = /no-restricted-imports|no-restricted-paths|no-restricted-syntax/

describe('dependency direction', () => {
  it.each([
    ['shared/ipc/planted.ts', "import { app } from 'electron'\nexport const x = app"],
    [
      'shared/types/planted.ts',
      "import { readFileSync } from 'node:fs'\nexport const x = readFileSync"
    ],
    ['shared/types/planted.ts', "import { mount } from 'svelte'\nexport const x = mount"],
    [
      'shared/types/planted.ts',
      "import { createCore } from '../../electron/main/core'\nexport const x = createCore"
    ],
    [
      'renderer/src/lib/planted.ts',
      "import { ipcRenderer } from 'electron'\nexport const x = ipcRenderer"
    ],
    ['renderer/src/lib/planted.ts', "import { connect } from 'node:tls'\nexport const x = connect"],
    [
      'renderer/src/lib/planted.ts',
      "import { createCore } from '../../../electron/main/core'\nexport const x = createCore"
    ],
    ['electron/main/tls/planted.ts', "import { app } from 'electron'\nexport const x = app"],
    [
      'electron/main/sip/planted.ts',
      "import { safeStorage } from 'electron'\nexport const x = safeStorage"
    ],
    ['electron/main/ipc/planted.ts', "import { ipcMain } from 'electron'\nexport const x = ipcMain"]
  ])('flags the planted import in %s', async (file, code) => {
    const found = await messages(file, code)
    expect(found.some((m) => layering.test(m))).toBe(true)
  })

  it('flags a raw webContents.send outside the typed emitter', async () => {
    const found = await messages(
      'electron/main/planted.ts',
      'export function f(w: { webContents: { send(c: string): void } }) {\n  w.webContents.send("x")\n}'
    )
    expect(found.some((m) => m.includes('EventBus'))).toBe(true)
  })

  it('allows the shell to import electron and shared/ to import zod', async () => {
    expect(
      (
        await messages(
          'electron/main/window.ts',
          "import { BrowserWindow } from 'electron'\nexport const x = BrowserWindow"
        )
      ).filter((m) => layering.test(m))
    ).toEqual([])
    expect(
      (
        await messages(
          'shared/types/planted.ts',
          "import { z } from 'zod'\nexport const x = z.string()"
        )
      ).filter((m) => layering.test(m))
    ).toEqual([])
  })
})
