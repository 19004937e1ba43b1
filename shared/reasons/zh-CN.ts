import type { TrustReasonCode } from '../types/trust'
import type { Facts, ReasonText } from './facts'

/** "服务器的证书", "服务器证书链中的一张中间证书", … */
function whose(f: Facts): string {
  switch (f.s('role')) {
    case 'intermediate':
      return '服务器证书链中的一张中间证书'
    case 'root':
      return '服务器证书链的根证书'
    default:
      return f.s('purpose') === 'client' ? '客户端证书' : '服务器的证书'
  }
}

/** "（5 天前）", "（3 天后）", "（今天）" or "". */
function relative(f: Facts, name: string): string {
  const days = f.daysFrom(name)
  if (days === undefined) return ''
  if (days === 0) return '（今天）'
  return days < 0 ? `（${-days} 天前）` : `（${days} 天后）`
}

/** "a、b 和 c", or the first three "等 N 个". */
function listOf(items: string[], max = 3, total = items.length): string {
  if (total <= 1) return items[0] ?? ''
  if (total <= max) return `${items.slice(0, -1).join('、')} 和 ${items[items.length - 1]}`
  return `${items.slice(0, max).join('、')} 等 ${total} 个名称`
}

function server(f: Facts): string {
  const host = f.s('host')
  const port = f.s('port')
  return host ? (port ? `${host}:${port}` : host) : '服务器'
}

const notCheckedByNode: Partial<Record<TrustReasonCode, string>> = {
  revoked: '吊销状态',
  'revocation-unknown': '吊销状态',
  'weak-key': '密钥强度',
  'weak-signature': '签名强度',
  'unsupported-algorithm': '所用算法',
  'malformed-certificate': '严格的证书格式规则',
  'invalid-extension': '严格的证书格式规则',
  'key-usage': '密钥用途规则',
  'sip-domain-mismatch': 'SIP 域名',
  'chain-limit': '证书链大小限制'
}

function uncheckedList(codes: string[]): string {
  return listOf([...new Set(codes.map((c) => notCheckedByNode[c as TrustReasonCode] ?? c))])
}

function connectionFailed(f: Facts): ReasonText {
  const where = server(f)
  const title = '无法连接到服务器'
  switch (f.s('cause')) {
    case 'dns':
      return {
        title: '找不到服务器名称',
        summary: `在 DNS 中找不到名称 ${f.s('host') ?? '（服务器）'}。`,
        remedy: '请检查 SIP 地址和服务器名称，以及此电脑的网络连接。'
      }
    case 'no-server':
      return {
        title: '找不到 SIP 服务器',
        summary: `DNS 没有为 ${f.s('sipDomain') ?? '此域'} 提供任何 SIP 服务器。`,
        remedy: '请检查 SIP 地址；或向管理员索取服务器地址，并在“高级”中填写。'
      }
    case 'refused':
      return {
        title,
        summary: `${where} 拒绝了连接：该端口上没有服务在监听，或被防火墙拒绝。`,
        remedy: '请检查服务器地址和端口；并询问管理员 SIP TLS 服务是否在运行。'
      }
    case 'unreachable':
      return {
        title,
        summary: `从此网络无法访问 ${where}。`,
        remedy: '请检查此电脑的网络连接（如服务器在内网，请检查 VPN）。'
      }
    case 'timeout':
      return {
        title,
        summary: `${where} 没有及时响应。`,
        remedy: '请检查此电脑的网络连接和服务器地址，稍后再试。'
      }
    case 'closed':
      return {
        title: '服务器关闭了连接',
        summary: `${where} 在 TLS 握手期间关闭了连接；该端口可能不支持 TLS。`,
        remedy: '请检查端口（SIP over TLS 通常为 5061）。'
      }
    case 'protocol-too-old':
      return {
        title: '服务器只支持过时的 TLS',
        summary: `${where} 只提供低于 1.2 的 TLS 版本，TrustLine 拒绝使用。`,
        remedy: '请服务器管理员启用 TLS 1.2 或 1.3。'
      }
    default:
      return {
        title: '无法建立安全连接',
        summary: `与 ${where} 的 TLS 握手失败。`,
        remedy:
          '请检查服务器地址和端口；如问题持续，请服务器管理员检查服务器的 TLS 配置（技术细节中有错误名称）。'
      }
  }
}

/** 简体中文措辞，与英文逐条对应，包含相同的名称、日期和指纹。 */
export const zhCN: Record<TrustReasonCode, (f: Facts) => ReasonText> = {
  expired: (f) => ({
    title: '证书已过期',
    summary: `${whose(f)}已于 ${f.date('date') ?? '未知日期'}${relative(f, 'date')}过期，因此此连接不安全。`,
    remedy:
      '请服务器管理员续订证书，并与中间证书一起安装。如果日期看起来不对，请先检查此电脑的时钟。'
  }),
  'not-yet-valid': (f) => ({
    title: '证书尚未生效',
    summary: `${whose(f)}要到 ${f.date('date') ?? '以后'}${relative(f, 'date')}才生效。可能是此电脑的时钟不正确，也可能是证书安装得太早。`,
    remedy: '请检查此电脑的日期、时间和时区。如果都正确，请服务器管理员检查证书的生效日期。'
  }),
  'clock-skew': () => ({
    title: '此电脑的时钟可能不正确',
    summary: '此电脑的时钟可能不正确：证书只是刚刚超出其有效期。',
    remedy: '请同步时钟（启用自动时间 / NTP）后重新连接。'
  }),
  'hostname-mismatch': (f) => {
    const names = f.list('names')
    return {
      title: '证书属于另一台服务器',
      summary: `服务器无法证明自己是 ${f.s('host') ?? '您要连接的服务器'}；它的证书是为 ${names.length ? listOf(names, 3, f.count('names')) : '另一个名称'} 签发的。`,
      remedy: `请检查账户设置中的服务器地址。否则请服务器管理员签发一张 subjectAltName 中包含 ${f.s('host') ?? '服务器名称'} 的证书。`
    }
  },
  'sip-domain-mismatch': (f) => ({
    title: '证书中没有您的 SIP 域',
    summary: `服务器的证书对 SIP 域 ${f.s('sipDomain') ?? '（您的账户）'} 无效。`,
    remedy: `请服务器管理员按照 RFC 5922 的要求，在证书的 subjectAltName 中加入 sip:${f.s('sipDomain') ?? '<域>'}（URI）或该域名（DNS）。`
  }),
  'unknown-issuer': (f) => ({
    title: '证书由未知机构签发',
    summary:
      f.s('role') === 'root'
        ? `服务器的证书链终止于此电脑不信任的根证书${f.s('issuer') ? `（${f.s('issuer')}）` : ''}。`
        : `${whose(f)}不是由此电脑信任的机构签发的${f.s('issuer') ? `（签发者：${f.s('issuer')}）` : ''}。`,
    remedy:
      '如果您的组织有自己的证书机构，请在“设置”→“您的 CA 证书”中为您的账户添加其根证书（如果您组织的策略指定了 CA，请 IT 部门将其加入 TrustLine 的策略 trustedCaFiles）；否则请服务器管理员使用公开受信任的证书，并发送完整的证书链。'
  }),
  'missing-intermediate': (f) => ({
    title: '服务器没有发送完整的证书链',
    summary: `服务器没有发送检查其证书签发者所需的全部证书${f.s('issuer') ? `（缺少：${f.s('issuer')}）` : ''}。`,
    remedy: '请服务器管理员配置完整的证书链（服务器证书，后接所有中间证书）。'
  }),
  'incomplete-chain-fetched': (f) => ({
    title: '已下载缺失的证书',
    summary: `为完成检查，TrustLine 从签发者处下载了一张缺失的中间证书${f.list('urls').length ? `（${listOf(f.list('urls'), 3, f.count('urls'))}）` : ''}。`,
    remedy: '目前可以工作，但不可靠：请服务器管理员随服务器证书一起发送中间证书。'
  }),
  'self-signed': (f) => ({
    title: '证书是自签名的',
    summary: `${whose(f)}是自签名的，没有任何机构为其身份担保。`,
    remedy:
      '只有在您通过其他途径与管理员核对了指纹后才能接受它；更好的做法是请服务器管理员使用受信任机构签发的证书。'
  }),
  'weak-key': (f) => ({
    title: '证书的密钥太弱',
    summary: `${whose(f)}使用的密钥太弱，不安全。`,
    remedy: '请服务器管理员使用至少 2048 位的 RSA 或 P-256 EC 密钥重新签发证书。'
  }),
  'weak-signature': (f) => ({
    title: '证书使用了弱签名',
    summary: `${whose(f)}使用了可被伪造的过时算法（如 SHA-1 或 MD5）签名。`,
    remedy: '请服务器管理员使用 SHA-256（或更强）的签名重新签发证书。'
  }),
  'unsupported-algorithm': (f) => ({
    title: '证书使用了不支持的算法',
    summary: `${whose(f)}使用了本应用不接受的算法。`,
    remedy:
      '请服务器管理员使用 RSA（2048 位以上）、ECDSA P-256/P-384/P-521 或 Ed25519 重新签发证书。'
  }),
  'bad-signature': (f) => ({
    title: '证书链中的签名无效',
    summary: `${whose(f)}上的签名无效，证书可能被篡改。`,
    remedy:
      '请服务器管理员检查所安装的中间证书是否与服务器证书配套。如果问题持续，请怀疑网络上有人拦截。'
  }),
  'not-a-ca': () => ({
    title: '证书链中有证书无权签发证书',
    summary: '服务器证书链中有一张证书被用来签发其他证书，但它无权这样做。',
    remedy: '请服务器管理员检查证书链：有一张终端实体证书被当作中间证书使用。'
  }),
  'path-length-exceeded': () => ({
    title: '证书链超过了签发机构允许的长度',
    summary: '服务器的证书链中的中间机构比其签发者允许的多。',
    remedy: '请服务器管理员使用符合 CA 路径长度限制的证书链。'
  }),
  'chain-too-long': () => ({
    title: '证书链过长',
    summary: '服务器的证书链太长，无法检查。',
    remedy: '请服务器管理员发送更短的证书链。'
  }),
  'key-usage': (f) => ({
    title: '证书的密钥不允许用于此用途',
    summary: `${whose(f)}不允许以这种方式使用。`,
    remedy: '请服务器管理员使用正确的密钥用途位重新签发证书。'
  }),
  'extended-key-usage': (f) =>
    f.s('purpose') === 'client'
      ? {
          title: '证书不是为客户端签发的',
          summary: '客户端证书不是用来证明客户端身份的。',
          remedy: '请使用扩展密钥用途中包含 TLS Web 客户端身份验证（clientAuth）的证书。'
        }
      : {
          title: '证书不是为服务器签发的',
          summary: '服务器的证书不是用来证明服务器身份的。',
          remedy:
            '请服务器管理员使用扩展密钥用途中包含 TLS Web 服务器身份验证（serverAuth）的证书。'
        },
  'name-constraints': () => ({
    title: '签发机构无权为此名称签发证书',
    summary: '服务器的证书使用了一个其签发机构无权认证的名称。',
    remedy: '请服务器管理员从允许为此名称签发证书的 CA 获取证书。'
  }),
  'unknown-critical-extension': (f) => ({
    title: '证书含有 TrustLine 不认识的关键扩展',
    summary: `${whose(f)}包含本应用无法理解的关键扩展，因此必须拒绝。`,
    remedy: '请服务器管理员重新签发不含此关键扩展的证书。'
  }),
  'invalid-extension': (f) => ({
    title: '证书违反了格式规则',
    summary: `${whose(f)}不符合证书标准的格式要求。`,
    remedy: '请服务器管理员重新签发证书；技术细节中写明了具体问题。'
  }),
  revoked: (f) => ({
    title: '证书已被吊销',
    summary: `${whose(f)}已被其签发者${f.date('date') ? `于 ${f.date('date')} ` : ''}吊销，不能再使用。`,
    remedy: '请服务器管理员立即安装新证书；旧密钥可能已经泄露。'
  }),
  'revocation-unknown': () => ({
    title: '无法检查吊销状态',
    summary: '无法检查服务器的证书是否已被吊销。',
    remedy: '请检查此电脑能否访问 OCSP 响应服务器 / CRL 地址，或放宽吊销检查策略。'
  }),
  'chain-order': () => ({
    title: '服务器发送证书的顺序错误',
    summary: '服务器发送证书的顺序不正确。',
    remedy: '这里无害，但请服务器管理员按先服务器证书、再逐级签发者的顺序排列证书链。'
  }),
  'extra-certificates': () => ({
    title: '服务器发送了多余的证书',
    summary: '服务器发送了不属于其证书链的证书。',
    remedy: '这里无害；请服务器管理员从证书链文件中删除无关的证书。'
  }),
  'anchor-sent': () => ({
    title: '服务器一并发送了根证书',
    summary: '服务器还发送了它的根证书，这没有必要。',
    remedy: '无需处理。'
  }),
  'node-disagrees': (f) =>
    f.s('direction') === 'node-accepts'
      ? {
          title: '系统的 TLS 库检查得更少',
          summary: `系统的 TLS 库会接受此证书，因为它不检查${uncheckedList(f.list('codes'))}；TrustLine 会检查，因此拒绝了它。`,
          remedy: 'TrustLine 这边无需处理：请解决其他发现中指出的问题。'
        }
      : {
          title: '系统的 TLS 库拒绝了此证书',
          summary: `尽管 TrustLine 自己的检查全部通过，系统的 TLS 库仍拒绝了此证书（${f.s('nodeError') ?? '无错误代码'}），为安全起见已拒绝连接。`,
          remedy: '请将技术支持报告发给 TrustLine 技术支持：对于这张证书，两者的检查结果应当一致。'
        },
  'malformed-certificate': (f) => ({
    title: '有证书无法读取',
    summary: `${whose(f)}已损坏或不是有效的证书。`,
    remedy: '请服务器管理员检查服务器所配置的证书文件。'
  }),
  'no-certificate': () => ({
    title: '服务器没有发送证书',
    summary: '服务器没有出示任何证书。',
    remedy: '请服务器管理员为 SIP 服务配置 TLS 证书。'
  }),
  'chain-limit': (f) => ({
    title: '无法在限制内构建证书链',
    summary: `服务器发送的证书链大得不合理${f.n('count') !== undefined ? `（${f.n('count')} 张证书）` : ''}。`,
    remedy: '请服务器管理员只发送服务器证书及其中间证书。'
  }),
  'certificate-changed': (f) => ({
    title: '服务器的证书在您接受后已更改',
    summary: `${server(f)} 现在出示的证书与您${f.date('acceptedAt') ? `于 ${f.date('acceptedAt')} ` : ''}作为例外接受的证书不同，它可能已不是同一台服务器。`,
    remedy:
      '不要轻易接受：请先与服务器管理员确认证书确实已更换，再核对并接受新的指纹，或让服务器使用受信任机构签发的证书。'
  }),
  'exception-forbidden': (f) => ({
    title: '策略不允许您的例外',
    summary: `您曾${f.date('acceptedAt') ? `于 ${f.date('acceptedAt')} ` : ''}为 ${server(f)} 将此证书作为例外接受，但您所在组织的策略${f.s('lockedBy') ? `（${f.s('lockedBy')}）` : ''}不允许例外，因此不会使用它。`,
    remedy: '请 IT 部门修复服务器的证书，或将其证书机构加入策略。'
  }),
  'account-ca-forbidden': (f) => ({
    title: '策略不允许您自己的 CA',
    summary: `此服务器的证书只能通过为您的账户添加的 CA 证书获得信任，但您所在组织的策略${f.s('lockedBy') ? `（${f.s('lockedBy')}）` : ''}不允许使用您自己的 CA，因此不会使用它。`,
    remedy:
      '请 IT 部门将该证书机构加入策略的受信任 CA 文件，或为服务器换用策略信任的 CA 签发的证书。'
  }),
  'sip-domain-unconfirmed': (f) => ({
    title: '这是您的 SIP 域的服务器吗？',
    summary: `DNS 把 ${f.s('sipDomain') ?? '您的 SIP 域'} 指向了 ${f.s('server') ?? '一台服务器'}，这台服务器不在该域内，其证书也没有写明该域。这可能是 DNS 劫持，因此没有发送任何内容。`,
    remedy: `请询问管理员 ${f.s('server') ?? '该服务器'} 是否是 ${f.s('sipDomain') ?? '您的域'} 的服务器。管理员可以在其证书中加入 sip:${f.s('sipDomain') ?? '<域>'}，或明确配置服务器地址。`
  }),
  'sip-domain-confirmed': (f) => ({
    title: '您已确认此服务器服务于您的 SIP 域',
    summary: `您${f.date('decidedAt') ? `于 ${f.date('decidedAt')} ` : ''}确认了 ${f.s('server') ?? '此服务器'} 服务于 ${f.s('sipDomain') ?? '您的 SIP 域'}，尽管其证书没有写明该域。`,
    remedy: `如果确认有误，请在设置中删除该回答。请管理员在证书中加入 sip:${f.s('sipDomain') ?? '<域>'}。`
  }),
  'sip-domain-refused': (f) => ({
    title: '您已拒绝此服务器用于您的 SIP 域',
    summary: `您${f.date('decidedAt') ? `于 ${f.date('decidedAt')} ` : ''}选择不将 ${f.s('server') ?? '此服务器'} 用于 ${f.s('sipDomain') ?? '您的 SIP 域'}：DNS 把该域指向了一台证书中没有写明该域的服务器。`,
    remedy: `在设置中删除该回答即可重新回答，或请管理员在服务器证书中加入 sip:${f.s('sipDomain') ?? '<域>'}。`
  }),
  'sip-domain-not-named': (f) => ({
    title: '证书中没有您的 SIP 域',
    summary:
      f.s('why') === 'configured'
        ? `${f.s('server') ?? '服务器'} 的证书没有写明您的 SIP 域 ${f.s('sipDomain') ?? ''}；由于此服务器是明确指定的而非通过 DNS 找到，因此仍然使用它。`
        : `${f.s('server') ?? '服务器'} 的证书没有写明您的 SIP 域 ${f.s('sipDomain') ?? ''}；由于服务器自身的名称在该域之内，因此仍然使用它。`,
    remedy: `目前无需处理；请服务器管理员在证书中加入 sip:${f.s('sipDomain') ?? '<域>'}（RFC 5922）。`
  }),
  'client-cert-required': (f) => ({
    title: '服务器要求客户端证书',
    summary: `${server(f)} 要求客户端证书，但没有配置任何证书${
      f.list('caNames').length
        ? `；它接受由 ${listOf(f.list('caNames'), 3, f.count('caNames'))} 签发的证书`
        : f.s('caNamesHidden')
          ? '（使用 TLS 1.3 时，服务器不会说明它接受哪些机构）'
          : ''
    }。`,
    remedy: '请添加管理员为您签发的客户端证书（登录 → 高级 → 客户端证书）。'
  }),
  'client-cert-rejected': (f) => ({
    title: '服务器拒绝了您的客户端证书',
    summary: `${server(f)} 拒绝了您的客户端证书${f.s('alert') ? `（${f.s('alert')}）` : ''}：它可能已过期、已被吊销，或由服务器不信任的机构签发${
      f.list('caNames').length
        ? `；它接受由 ${listOf(f.list('caNames'), 3, f.count('caNames'))} 签发的证书`
        : ''
    }。`,
    remedy: '请向管理员索取由此服务器信任的机构签发的有效客户端证书。'
  }),
  'client-cert-expired': (f) =>
    f.s('why') === 'not-yet-valid'
      ? {
          title: '您的客户端证书尚未生效',
          summary: `您的客户端证书${f.s('subject') ? `（${f.s('subject')}）` : ''}自 ${f.date('date') ?? '未知日期'}${relative(f, 'date')}起才生效。`,
          remedy: '请先检查此电脑的时钟；如果时钟正确，请向管理员索取已生效的客户端证书。'
        }
      : {
          title: '您的客户端证书已过期',
          summary: `您的客户端证书${f.s('subject') ? `（${f.s('subject')}）` : ''}已于 ${f.date('date') ?? '未知日期'}${relative(f, 'date')}过期。`,
          remedy: '请向管理员索取新的客户端证书。如果日期看起来不对，请先检查此电脑的时钟。'
        },
  'client-cert-not-for-client': (f) => ({
    title: '您的证书不能用于登录',
    summary: `您的证书${f.s('subject') ? `（${f.s('subject')}）` : ''}不允许客户端身份验证（其扩展密钥用途中没有 clientAuth），服务器可能会拒绝它。`,
    remedy: '请向管理员索取用于 TLS 客户端身份验证（clientAuth）的证书。'
  }),
  'client-cert-unreadable': () => ({
    title: '无法读取您的客户端证书',
    summary: '无法读取客户端证书文件。',
    remedy: '请选择管理员提供的 .p12/.pfx 文件，或同时包含证书和私钥的 PEM 文件。'
  }),
  'client-cert-bad-passphrase': () => ({
    title: '客户端证书的密码不正确',
    summary: '无法打开客户端证书：密码不正确或未填写。',
    remedy: '请输入随证书文件一起提供的密码。'
  }),
  'client-cert-key-mismatch': () => ({
    title: '证书与私钥不匹配',
    summary: '客户端证书与私钥不是一对。',
    remedy: '请使用与此证书一起签发的私钥。'
  }),
  'connection-failed': connectionFailed
}
