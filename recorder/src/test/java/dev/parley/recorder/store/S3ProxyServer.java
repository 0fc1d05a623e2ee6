package dev.parley.recorder.store;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListMultipartUploadsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 endpoint in the test JVM (S3Proxy over an in-memory blob store) on 127.0.0.1, plus an independent
 * S3 client for checking what the store really holds. It can stop and start again on the same port with the
 * same contents, like an object store that goes away for a while.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "parley-test-access";
    public static final String SECRET_KEY = "parley-test-secret-0123456789";
    public static final String REGION = "us-east-1";

    private final BlobStore blobStore = new TransientNio2BlobStore();
    private S3Proxy proxy;
    private int port;
    private MinioAsyncClient inspector;

    public static S3ProxyServer start(String... buckets) throws Exception {
        S3ProxyServer server = new S3ProxyServer();
        for (String bucket : buckets) {
            server.blobStore.createContainer(bucket);
        }
        server.startOn(0);
        server.inspector = MinioAsyncClient.builder().endpoint(server.endpoint().toString()).region(REGION)
                .credentials(ACCESS_KEY, SECRET_KEY).build();
        return server;
    }

    private void startOn(int wanted) throws Exception {
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:" + wanted))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        Instant deadline = Instant.now().plusSeconds(10);
        while (!"STARTED".equals(proxy.getState())) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    /** The object store goes away: connections to its port are refused. */
    public void stop() throws Exception {
        proxy.stop();
    }

    /** The object store comes back on the same port with everything it held. */
    public void restart() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            try {
                startOn(port);
                return;
            } catch (java.io.IOException e) { // the old socket may linger for a moment
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    S3Settings settings(String bucket) {
        return S3Settings.of(endpoint(), bucket, REGION, ACCESS_KEY, SECRET_KEY);
    }

    /** Every object key under {@code prefix}, as a ListObjects call returns them. */
    public List<String> keys(String bucket, String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> item : inspector.listObjects(ListObjectsArgs.builder().bucket(bucket).region(REGION)
                .prefix(prefix).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    /** How many multipart uploads are started and neither completed nor aborted. */
    int unfinishedMultipartUploads(String bucket) throws Exception {
        var uploads = inspector.listMultipartUploads(ListMultipartUploadsArgs.builder().bucket(bucket)
                .region(REGION).build()).get().result().uploads();
        return uploads == null ? 0 : uploads.size();
    }

    public byte[] read(String bucket, String key) throws Exception {
        try (GetObjectResponse in = inspector.getObject(GetObjectArgs.builder().bucket(bucket).region(REGION)
                .object(key).build()).get()) {
            return in.readAllBytes();
        }
    }

    String contentType(String bucket, String key) throws Exception {
        return inspector.statObject(io.minio.StatObjectArgs.builder().bucket(bucket).region(REGION).object(key)
                .build()).get().contentType();
    }

    @Override
    public void close() throws Exception {
        if (inspector != null) {
            inspector.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }
}
