// Checks on an evidence file before it is sent (the server checks again by
// content: docs/workflow.md, "Evidence files"), pure and tested.

/** The extensions the server takes: PDF, images, Word, Excel. */
export const EVIDENCE_EXTENSIONS = ['pdf', 'jpg', 'jpeg', 'png', 'doc', 'docx', 'xls', 'xlsx']

/** The server's default size cap (limits.upload, 20 MB); it answers 413 above its own. */
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

/** Why file ({ name, size }) cannot be sent, or "" when it can. */
export function evidenceProblem(file, max = EVIDENCE_MAX_BYTES) {
  if (!file) return '请选择文件'
  const m = /\.([A-Za-z0-9]+)$/.exec(file.name || '')
  const ext = m ? m[1].toLowerCase() : ''
  if (!EVIDENCE_EXTENSIONS.includes(ext)) return `不支持的文件类型${ext ? ' .' + ext : ''}：请上传 PDF、JPG、PNG、Word 或 Excel 文件`
  if (file.size === 0) return '文件为空'
  if (file.size > max) return `文件超过 ${Math.round(max / 1024 / 1024)} MB，请压缩后再上传`
  return ''
}

/** "与 何梦斌 的申报 #4 使用了相同的文件" lines of a file's duplicate_of. */
export function duplicateText(file) {
  const d = (file && file.duplicate_of) || []
  return d.map((x) => {
    const who = x.person && typeof x.person === 'object' ? x.person.name : x.person || x.person_name || '他人'
    return `与 ${who} 的申报 #${x.claim_id} 使用了相同的文件`
  })
}
