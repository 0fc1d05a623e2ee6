package dev.parley.recorder.store;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what the MinIO client throws into a {@link StoreFailure} with a message an operator can act on. */
final class S3Errors {
    private S3Errors() {
    }

    static StoreException classify(String what, Throwable thrown, S3Settings settings) {
        Throwable cause = thrown;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ErrorResponseException e) {
                String code = e.errorResponse().code();
                int status = e.response() == null ? 0 : e.response().code();
                StoreFailure failure = failureOf(code, status);
                String detail = switch (failure) {
                    case CREDENTIALS_REFUSED -> " (access key '" + settings.accessKey() + "'; check s3-access-key and "
                            + "s3-secret-key)";
                    case BUCKET_MISSING -> " (bucket '" + settings.bucket() + "'; create it or fix s3-bucket)";
                    default -> "";
                };
                return new StoreException(failure, what + ": " + code + " " + nullToEmpty(e.errorResponse().message())
                        + detail, cause);
            }
            if (t instanceof ServerException e) {
                return new StoreException(e.statusCode() >= 500 ? StoreFailure.SERVER_ERROR : StoreFailure.REJECTED,
                        what + ": HTTP " + e.statusCode(), cause);
            }
            if (t instanceof InvalidResponseException) {
                // Not an S3 answer at all (often a proxy's error page while the store is down): try again later.
                return new StoreException(StoreFailure.SERVER_ERROR, what + ": " + t.getMessage(), cause);
            }
            if (t instanceof IOException e) {
                return new StoreException(StoreFailure.UNREACHABLE, what + ": " + e, cause);
            }
        }
        return new StoreException(StoreFailure.REJECTED, what + ": " + cause, cause);
    }

    static StoreFailure failureOf(String code, int status) {
        return switch (code == null ? "" : code) {
            case "NoSuchBucket" -> StoreFailure.BUCKET_MISSING;
            case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
                 "AuthorizationHeaderMalformed", "InvalidSecurity", "AccessDenied", "AllAccessDisabled" ->
                    StoreFailure.CREDENTIALS_REFUSED;
            case "NoSuchKey", "NoSuchUpload", "ResourceNotFound" -> StoreFailure.NOT_FOUND;
            case "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "OperationAborted" ->
                    StoreFailure.SERVER_ERROR;
            default -> status >= 500 ? StoreFailure.SERVER_ERROR : StoreFailure.REJECTED;
        };
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
