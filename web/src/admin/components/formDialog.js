// formDialog.js — the state of a console form dialog (open, the row being edited, saving, the
// error shown in it) and its save step, for FormDialog.vue. One place decides that a dialog
// closes only when the server said yes, and shows the server's message in the dialog otherwise.
import { reactive } from 'vue'

/**
 * submit(editing) checks the form and sends it: it returns a message (string) to show without
 * sending, or nothing when the server accepted; a thrown ApiError's message is shown in the
 * dialog (unless api.js handled it already). Returns a reactive {open, editing, saving, error,
 * show(row), save()}.
 */
export function useFormDialog(submit) {
    const d = reactive({
        open: false,
        editing: null, // the row being changed; null when adding
        saving: false,
        error: '',
        show(row = null) {
            d.editing = row
            d.error = ''
            d.open = true
        },
        async save() {
            d.error = ''
            d.saving = true
            try {
                const problem = await submit(d.editing)
                if (problem) d.error = problem
                else d.open = false
            } catch (e) {
                if (!e.handled) d.error = e.message
            } finally {
                d.saving = false
            }
        },
    })
    return d
}
