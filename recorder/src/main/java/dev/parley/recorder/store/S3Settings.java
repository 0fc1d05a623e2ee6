package dev.parley.recorder.store;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * How to reach an S3-compatible object store (AWS S3, MinIO, ...).
 *
 * @param endpoint {@code http(s)://host[:port]} the server talks to
 * @param publicEndpoint the endpoint written into presigned download URLs (browsers fetch them), or null to use
 *     {@code endpoint}; set it when the server reaches the store by an internal name
 * @param bucket an existing bucket (Parley never creates buckets)
 * @param region the bucket's region; {@code us-east-1} suits MinIO
 * @param accessKey the access key id
 * @param secretKey the secret key (never printed)
 * @param pathStyle {@code endpoint/bucket/key} URLs (MinIO, most self-hosted stores) rather than
 *     {@code bucket.endpoint/key}
 * @param partSize bytes per multipart part, 5 MiB to 512 MiB; files up to this size go in one request
 */
public record S3Settings(URI endpoint, URI publicEndpoint, String bucket, String region, String accessKey,
                         String secretKey, boolean pathStyle, long partSize) {

    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Parts are held in memory one at a time while they are signed and sent, hence the modest maximum. */
    public static final long MAX_PART_SIZE = 512L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");

    public S3Settings {
        checkEndpoint("s3-endpoint", endpoint);
        if (publicEndpoint != null) {
            checkEndpoint("s3-public-endpoint", publicEndpoint);
        }
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("s3-bucket must be 3-63 characters of a-z, 0-9, '.' and '-', got '"
                    + bucket + "'");
        }
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("s3-region must be a region name like us-east-1, got '" + region + "'");
        }
        if (accessKey == null || accessKey.isBlank()) {
            throw new IllegalArgumentException("s3-access-key is required for the S3 recording store");
        }
        if (secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("s3-secret-key is required for the S3 recording store");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("s3 part size must be between 5 MiB and 512 MiB, got " + partSize);
        }
    }

    /** Settings with the usual defaults: same public endpoint, path-style, 16 MiB parts. */
    public static S3Settings of(URI endpoint, String bucket, String region, String accessKey, String secretKey) {
        return new S3Settings(endpoint, null, bucket, region, accessKey, secretKey, true, DEFAULT_PART_SIZE);
    }

    public S3Settings withPartSize(long bytes) {
        return new S3Settings(endpoint, publicEndpoint, bucket, region, accessKey, secretKey, pathStyle, bytes);
    }

    public S3Settings withCredentials(String access, String secret) {
        return new S3Settings(endpoint, publicEndpoint, bucket, region, access, secret, pathStyle, partSize);
    }

    public S3Settings withPublicEndpoint(URI uri) {
        return new S3Settings(endpoint, uri, bucket, region, accessKey, secretKey, pathStyle, partSize);
    }

    public S3Settings withBucket(String name) {
        return new S3Settings(endpoint, publicEndpoint, name, region, accessKey, secretKey, pathStyle, partSize);
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", publicEndpoint=" + publicEndpoint + ", bucket=" + bucket
                + ", region=" + region + ", accessKey=" + accessKey + ", secretKey=***, pathStyle=" + pathStyle
                + ", partSize=" + partSize + "]";
    }

    private static void checkEndpoint(String name, URI uri) {
        if (uri == null || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException(name + " must be http(s)://host[:port] without a path, got '" + uri + "'");
        }
    }
}
