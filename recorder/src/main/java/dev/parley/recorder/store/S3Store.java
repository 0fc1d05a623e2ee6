package dev.parley.recorder.store;

import io.minio.BucketArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.ListPartsArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.UploadPartArgs;
import io.minio.UploadPartResponse;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.minio.messages.ListPartsResult;
import io.minio.messages.Part;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Recording files in an S3-compatible bucket through the MinIO client. Files larger than one part go up as a
 * multipart upload that a later attempt (or a restarted server) continues from the parts already stored; each
 * object carries the tag of the upload that wrote it, so an attempt that finds its own object already there
 * stops instead of writing it again.
 */
public final class S3Store extends RecordingStore {
    /** User metadata naming the spool record that wrote the object ({@code x-amz-meta-parley-upload}). */
    static final String TAG_METADATA = "parley-upload";
    private static final int MAX_PARTS = 10_000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final long IO_TIMEOUT_MS = 120_000;

    private final S3Settings settings;
    private final MinioAsyncClient client;
    private final MinioAsyncClient presigner;

    public S3Store(S3Settings settings) {
        this.settings = settings;
        this.client = newClient(settings.endpoint());
        this.presigner = settings.publicEndpoint() == null ? client : newClient(settings.publicEndpoint());
    }

    private MinioAsyncClient newClient(URI endpoint) {
        MinioAsyncClient c = MinioAsyncClient.builder()
                .endpoint(endpoint.toString())
                .region(settings.region())
                .credentials(settings.accessKey(), settings.secretKey())
                .build();
        if (settings.pathStyle()) {
            c.disableVirtualStyleEndpoint();
        } else {
            c.enableVirtualStyleEndpoint();
        }
        c.setTimeout(CONNECT_TIMEOUT_MS, IO_TIMEOUT_MS, IO_TIMEOUT_MS);
        // Retrying is the uploader's job (bounded, with backoff, resumable); the client's own retries would
        // multiply the attempts behind its back.
        c.setRetry(Set.of(), 0L, 1);
        return c;
    }

    public S3Settings settings() {
        return settings;
    }

    @Override
    public void check() throws StoreException {
        // A GET (not HEAD) so that the store explains a refusal: NoSuchBucket, InvalidAccessKeyId, ...
        Iterator<Result<Item>> items = client.listObjects(
                bucketArgs(ListObjectsArgs.builder()).maxKeys(1).build()).iterator();
        try {
            if (items.hasNext()) {
                items.next().get();
            }
        } catch (MinioException | RuntimeException e) {
            throw S3Errors.classify("listing bucket " + settings.bucket() + " at " + settings.endpoint(), e,
                    settings);
        }
    }

    @Override
    StoredObject upload(ObjectKey key, Path file, UploadProgress progress)
            throws StoreException, InterruptedException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw DurableFiles.failure("cannot read " + file, e);
        }
        Optional<StoredObject> earlier = alreadyUploaded(key, size, progress.tag());
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Http.Headers headers = new Http.Headers("Content-Type", contentType(key));
        if (progress.tag() != null) {
            headers.put("x-amz-meta-" + TAG_METADATA, progress.tag());
        }
        if (size <= settings.partSize()) {
            UploadObjectArgs args;
            try {
                args = UploadObjectArgs.builder().bucket(settings.bucket()).region(settings.region())
                        .object(key.value()).filename(file.toString(), settings.partSize())
                        .headers(headers).build();
            } catch (MinioException e) {
                throw S3Errors.classify("reading " + file, e, settings);
            }
            await(() -> client.uploadObject(args), "uploading " + where(key));
        } else {
            uploadInParts(key, file, size, headers, progress);
        }
        return new StoredObject(key, size, where(key));
    }

    private void uploadInParts(ObjectKey key, Path file, long size, Http.Headers headers, UploadProgress progress)
            throws StoreException, InterruptedException {
        long partSize = settings.partSize();
        long partCount = (size + partSize - 1) / partSize;
        if (partCount > MAX_PARTS) {
            throw new StoreException(StoreFailure.REJECTED, key + " needs " + partCount + " parts of " + partSize
                    + " bytes, more than the " + MAX_PARTS + " S3 allows: raise the part size");
        }
        int parts = (int) partCount;
        String uploadId = progress.multipartUploadId();
        Map<Integer, Part> stored = uploadId == null ? Map.of() : storedParts(key, uploadId);
        if (stored == null) {
            uploadId = null; // the store no longer knows it (completed, aborted or expired): start again
            stored = Map.of();
        }
        if (uploadId == null) {
            String id = await(() -> client.createMultipartUpload(bucketArgs(CreateMultipartUploadArgs.builder())
                    .object(key.value()).headers(headers).build()), "starting the upload of " + where(key))
                    .result().uploadId();
            try {
                progress.multipartStarted(id);
            } catch (IOException e) {
                throw DurableFiles.failure("cannot record the upload of " + key + " in the spool", e);
            }
            uploadId = id;
        }
        Part[] done = new Part[parts];
        // One part in memory at a time: the client signs the body's SHA-256 and must read it twice.
        byte[] buffer = null;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            for (int n = 1; n <= parts; n++) {
                long offset = (n - 1) * partSize;
                long length = Math.min(partSize, size - offset);
                Part have = stored.get(n);
                if (have != null && have.partSize() == length) {
                    done[n - 1] = new Part(n, have.etag());
                    continue;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (buffer == null) {
                    buffer = new byte[(int) Math.min(partSize, size)];
                }
                in.seek(offset);
                in.readFully(buffer, 0, (int) length);
                int number = n;
                String id = uploadId;
                byte[] body = buffer;
                UploadPartResponse response = await(() -> client.uploadPart(bucketArgs(UploadPartArgs.builder())
                        .object(key.value()).uploadId(id).partNumber(number).data(body, (int) length).build()),
                        "uploading part " + n + "/" + parts + " of " + where(key));
                done[n - 1] = new Part(n, response.part().etag());
                progress.partUploaded(n, parts);
            }
        } catch (IOException e) {
            throw DurableFiles.failure("cannot read " + file, e);
        }
        String id = uploadId;
        try {
            await(() -> client.completeMultipartUpload(bucketArgs(CompleteMultipartUploadArgs.builder())
                    .object(key.value()).uploadId(id).parts(done).build()), "completing " + where(key));
        } catch (StoreException e) {
            // An earlier attempt may have completed it and died before hearing the answer.
            if (e.failure() != StoreFailure.NOT_FOUND || alreadyUploaded(key, size, progress.tag()).isEmpty()) {
                throw e;
            }
        }
    }

    /** The parts the store holds for an unfinished multipart upload, or null when it does not know the upload. */
    private Map<Integer, Part> storedParts(ObjectKey key, String uploadId)
            throws StoreException, InterruptedException {
        Map<Integer, Part> parts = new HashMap<>();
        Integer marker = null;
        while (true) {
            Integer from = marker;
            ListPartsResult result;
            try {
                result = await(() -> client.listParts(bucketArgs(ListPartsArgs.builder()).object(key.value())
                        .uploadId(uploadId).partNumberMarker(from).build()), "listing the parts of " + where(key))
                        .result();
            } catch (StoreException e) {
                if (e.failure() == StoreFailure.NOT_FOUND) {
                    return null;
                }
                throw e;
            }
            if (result.parts() != null) {
                for (Part part : result.parts()) {
                    parts.put(part.partNumber(), part);
                }
            }
            if (!result.isTruncated() || result.nextPartNumberMarker() == null) {
                return parts;
            }
            marker = result.nextPartNumberMarker();
        }
    }

    /** The object under {@code key} when this very upload (same tag, same size) already wrote it. */
    private Optional<StoredObject> alreadyUploaded(ObjectKey key, long size, String tag)
            throws StoreException, InterruptedException {
        if (tag == null) {
            return Optional.empty();
        }
        Optional<StatObjectResponse> stat = statResponse(key);
        if (stat.isPresent() && stat.get().size() == size
                && tag.equals(stat.get().userMetadata().getFirst(TAG_METADATA))) {
            return Optional.of(new StoredObject(key, size, where(key)));
        }
        return Optional.empty();
    }

    @Override
    public Optional<StoredObject> stat(ObjectKey key) throws StoreException {
        try {
            return statResponse(key).map(s -> new StoredObject(key, s.size(), where(key)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreFailure.UNREACHABLE, "interrupted while reading " + where(key), e);
        }
    }

    private Optional<StatObjectResponse> statResponse(ObjectKey key) throws StoreException, InterruptedException {
        try {
            return Optional.of(await(() -> client.statObject(bucketArgs(StatObjectArgs.builder())
                    .object(key.value()).build()), "reading " + where(key)));
        } catch (StoreException e) {
            if (e.failure() == StoreFailure.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Download download(ObjectKey key, Duration validity) throws StoreException {
        checkValidity(validity);
        if (stat(key).isEmpty()) {
            throw new StoreException(StoreFailure.NOT_FOUND, where(key) + " does not exist");
        }
        Instant expiresAt = Instant.now().plus(validity);
        try {
            String url = presigner.getPresignedObjectUrl(bucketArgs(GetPresignedObjectUrlArgs.builder())
                    .method(Http.Method.GET).object(key.value())
                    .expiry((int) validity.toSeconds(), TimeUnit.SECONDS).build());
            return new Download.PresignedUrl(URI.create(url), expiresAt);
        } catch (MinioException | RuntimeException e) {
            throw S3Errors.classify("presigning " + where(key), e, settings);
        }
    }

    @Override
    public void delete(ObjectKey key) throws StoreException {
        try {
            await(() -> client.removeObject(bucketArgs(RemoveObjectArgs.builder()).object(key.value()).build()),
                    "deleting " + where(key));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreFailure.UNREACHABLE, "interrupted while deleting " + where(key), e);
        }
    }

    @Override
    public String describe() {
        return "S3 bucket " + settings.bucket() + " at " + settings.endpoint() + " (region " + settings.region()
                + ", access key " + settings.accessKey() + ")";
    }

    @Override
    public void close() {
        client.close();
        if (presigner != client) {
            presigner.close();
        }
    }

    private <B extends BucketArgs.Builder<B, A>, A extends BucketArgs> B bucketArgs(B builder) {
        return builder.bucket(settings.bucket()).region(settings.region());
    }

    private String where(ObjectKey key) {
        return "s3://" + settings.bucket() + "/" + key;
    }

    private <T> T await(Supplier<CompletableFuture<T>> call, String what)
            throws StoreException, InterruptedException {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            throw S3Errors.classify(what, e, settings);
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw S3Errors.classify(what, e.getCause(), settings);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    static String contentType(ObjectKey key) {
        String name = key.fileName();
        if (name.endsWith(".webm")) {
            return "video/webm";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }
}
