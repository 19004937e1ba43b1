/**
 * Saves text as a file through an `a[download]` on a Blob URL: no network is involved, so the
 * renderer's CSP (connect-src 'none') is not in the way, and it works the same in Electron.
 */
export function saveText(filename: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  // Revoke after the click has been handled; revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
