// home.js — the first page of each role on the phone.
import { GRID_ROLES, PERSON_ROLES, STAFF_ROLES } from '../common/roles.js'

export function h5HomeFor(role) {
    if (GRID_ROLES.includes(role)) return { name: 'grid' }
    if (PERSON_ROLES.includes(role)) return { name: 'family' }
    if (STAFF_ROLES.includes(role)) return { name: 'staff' }
    return { name: 'mine' }
}
