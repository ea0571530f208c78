// caseTone.js — a case state's colour as an Element Plus tag type.
import { caseStateTone } from '../../../common/cases.js'

export function elTone(state) {
    const t = caseStateTone(state)
    return t === 'default' ? 'info' : t
}
