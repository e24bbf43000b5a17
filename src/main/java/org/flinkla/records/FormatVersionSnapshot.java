/*
 * Copyright 2026 The flink-linear-attention authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.flinkla.records;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a serializer whose binary format is identified by one version number (the snapshot
 * version). Restoring state written with the current version is compatible as is; a version this
 * code does not know (written by a newer release) is reported incompatible, so Flink refuses the
 * restore with a clear error instead of misreading bytes. A serializer that also reads the values
 * of older formats declares the oldest one it reads; those restore as is too. Subclasses need a public no-arg
 * constructor (Flink instantiates them reflectively when reading a checkpoint).
 */
public abstract class FormatVersionSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final int currentVersion;
    private final int oldestReadable;
    private int readVersion;

    protected FormatVersionSnapshot(int currentVersion) {
        this(currentVersion, currentVersion);
    }

    /** {@code oldestReadable}: the oldest format whose values the current serializer reads too. */
    protected FormatVersionSnapshot(int currentVersion, int oldestReadable) {
        this.currentVersion = currentVersion;
        this.oldestReadable = oldestReadable;
        this.readVersion = currentVersion;
    }

    private boolean readable(int version) {
        return version >= oldestReadable && version <= currentVersion;
    }

    /** A serializer for the current format. */
    protected abstract TypeSerializer<T> createSerializer();

    /** The format version this snapshot was read with (the current one for a fresh snapshot). */
    public int formatVersion() {
        return readVersion;
    }

    @Override
    public int getCurrentVersion() {
        return currentVersion;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        // the version itself (written by Flink) is the whole configuration
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        this.readVersion = readVersion;
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        if (!readable(readVersion)) {
            throw new IllegalStateException(getClass().getSimpleName() + ": format version " + readVersion
                    + " cannot be read by this release (it reads version " + currentVersion + ")");
        }
        return createSerializer();
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot == null || oldSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int oldVersion = ((FormatVersionSnapshot<T>) oldSnapshot).formatVersion();
        return readable(oldVersion)
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
