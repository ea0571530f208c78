// departments.js — the county's departments (GET /api/v1/departments) for the forms that name
// them (派单 to a department, 吹哨) and the pages that show a department's name: asked once per
// page load and shared; a failed answer is asked again next time.
import { ref } from 'vue'
import { caseApi } from '../../../common/api.js'

const list = ref([])
let pending = null

/** A ref of [{code, name}], filled on first use; load() resolves when it is (or throws). */
export function useDepartments() {
    function load() {
        if (list.value.length) return Promise.resolve(list.value)
        if (!pending) {
            pending = caseApi
                .departments()
                .then((r) => {
                    list.value = (r && r.items) || []
                    return list.value
                })
                .finally(() => {
                    pending = null
                })
        }
        return pending
    }
    /** The name of a department code ('d03' or 'dept:d03'), '' when not known (yet). */
    function nameOf(code) {
        const c = String(code || '').replace(/^dept:/, '')
        const d = list.value.find((x) => x.code === c)
        return d ? d.name : ''
    }
    return { departments: list, load, nameOf }
}
