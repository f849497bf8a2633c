// Whether the window is phone-narrow (≤ 768 px), kept up to date.
import { onBeforeUnmount, ref } from 'vue'

export function useNarrow(query = '(max-width: 768px)') {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const narrow = ref(mq ? mq.matches : false)
  const on = (e) => {
    narrow.value = e.matches
  }
  if (mq) mq.addEventListener('change', on)
  onBeforeUnmount(() => mq && mq.removeEventListener('change', on))
  return narrow
}
