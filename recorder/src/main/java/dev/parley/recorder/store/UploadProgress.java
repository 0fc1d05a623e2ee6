package dev.parley.recorder.store;

import java.io.IOException;

/** What an upload remembers between attempts and across restarts (kept in the spool record). */
interface UploadProgress {

    /** Identifies this upload; stored with the object so a later attempt can tell that it already landed. */
    String tag();

    /** The multipart upload an earlier attempt started, or null. */
    String multipartUploadId();

    /** Called once a multipart upload has been created, before any part is sent: persist it. */
    void multipartStarted(String uploadId) throws IOException;

    /** Called after each part the store confirmed in this attempt. */
    void partUploaded(int part, int parts);

    UploadProgress NONE = new UploadProgress() {
        @Override
        public String tag() {
            return null;
        }

        @Override
        public String multipartUploadId() {
            return null;
        }

        @Override
        public void multipartStarted(String uploadId) {
        }

        @Override
        public void partUploaded(int part, int parts) {
        }
    };
}
