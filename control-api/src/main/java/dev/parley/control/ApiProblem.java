package dev.parley.control;

import java.util.List;
import java.util.Map;

/**
 * An error to report to the client as an RFC 9457 {@code application/problem+json} body. Route handlers throw
 * it; it is thrown before anything is written to the database (or inside the transaction, rolling it back).
 */
final class ApiProblem extends RuntimeException {
    /** One invalid field of a request body or query. */
    record FieldError(String field, String message) {}

    final ProblemType type;
    final String detail;
    final List<FieldError> errors;
    final Map<String, String> headers;

    ApiProblem(ProblemType type, String detail, List<FieldError> errors, Map<String, String> headers) {
        super(type.slug + ": " + detail, null, false, false);
        this.type = type;
        this.detail = detail;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    ApiProblem(ProblemType type, String detail) {
        this(type, detail, List.of(), Map.of());
    }

    static ApiProblem invalid(String field, String message) {
        return new ApiProblem(ProblemType.VALIDATION, field + ": " + message, List.of(new FieldError(field, message)), Map.of());
    }

    static ApiProblem notFound(String what) {
        return new ApiProblem(ProblemType.NOT_FOUND, what + " not found");
    }

    static ApiProblem forbidden(String detail) {
        return new ApiProblem(ProblemType.FORBIDDEN, detail);
    }
}
