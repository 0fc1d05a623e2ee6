// Shows a refused request next to its form: the overall message in the form's `.form-error`, and each
// field error in the `.field-error[data-field=...]` of that field (or in the overall message when the
// form has no such field).

/** `problem`: an ApiError, or `{message, errors: [{field, message}]}`. */
export function showProblem(form, problem) {
  clearProblem(form);
  const unplaced = [];
  let placed = 0;
  for (const { field, message } of problem.errors ?? []) {
    const slot = form.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`);
    if (slot) {
      slot.textContent = sentence(message);
      slot.hidden = false;
      placed++;
      slot.closest('label')?.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(`${field} ${message}`);
    }
  }
  const box = form.querySelector('.form-error');
  // When every field error sits beside its field, the short title says enough; the detail would repeat them.
  const summary = placed > 0 && unplaced.length === 0 && problem.title ? problem.title : problem.message;
  box.textContent = [summary, ...unplaced].filter(Boolean).map(sentence).join(' · ');
  box.hidden = !box.textContent;
  form.querySelector('[aria-invalid="true"]')?.focus();
}

/** Hides every message shown by showProblem. */
export function clearProblem(form) {
  for (const slot of form.querySelectorAll('.field-error, .form-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

// The server's details start in lower case ("the email or the password is wrong"); shown alone they read as sentences.
function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
