import { join } from 'node:path'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { getConfig } from 'app-builder-lib/out/util/config/config'
import { beforeAll, describe, expect, it } from 'vitest'
import { requirePacked, root, unpackedDir } from './packaged'

// '0' and '1' in the fuse wire (@electron/fuses FuseState).
const disabled = 48
const enabled = 49

beforeAll(requirePacked)

describe('packed executable', () => {
  it('has every fuse flipped as electron-builder.yml says', async () => {
    const config = await getConfig(root, null, null)
    const fuses = config.electronFuses
    expect(fuses).toBeTruthy()
    const wire = await getCurrentFuseWire(join(unpackedDir, 'trustline'))
    const expected = {
      [FuseV1Options.RunAsNode]: fuses!.runAsNode,
      [FuseV1Options.EnableCookieEncryption]: fuses!.enableCookieEncryption,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]:
        fuses!.enableNodeOptionsEnvironmentVariable,
      [FuseV1Options.EnableNodeCliInspectArguments]: fuses!.enableNodeCliInspectArguments,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]:
        fuses!.enableEmbeddedAsarIntegrityValidation,
      [FuseV1Options.OnlyLoadAppFromAsar]: fuses!.onlyLoadAppFromAsar,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]:
        fuses!.loadBrowserProcessSpecificV8Snapshot,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: fuses!.grantFileProtocolExtraPrivileges
    }
    for (const [index, value] of Object.entries(expected)) {
      expect(value, FuseV1Options[Number(index)]).toBeTypeOf('boolean')
      expect(wire[Number(index) as FuseV1Options], FuseV1Options[Number(index)]).toBe(
        value ? enabled : disabled
      )
    }
  })
})
