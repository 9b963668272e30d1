/**
 * A conditional write lost. Its own module because the request repository and the follow-up task store
 * both throw it (one staff action catches either), and the repository uses the task store: with the
 * class in the repository the two modules imported each other.
 */

/** A conditional write lost: the request is not in the state the caller expected. */
export class StateConflict extends Error {
  override name = 'StateConflict';
}
