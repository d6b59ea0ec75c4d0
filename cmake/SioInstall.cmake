# Install rules: the libraries and public headers, the CMake package sio_cpp (targets sio::*),
# pkg-config files, and a Debian package through CPack (`cpack -G DEB` in the build directory).
include(CMakePackageConfigHelpers)

set(sio_libraries sio_engineio_codec sio_engineio sio_socketio_codec sio_socketio sio_socketio_redis)
foreach(library IN LISTS sio_libraries)
  # Exported as sio::engineio and so on, the names the build tree's aliases give too.
  string(REPLACE "sio_" "" name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${name})
endforeach()

install(TARGETS ${sio_libraries} EXPORT sio_cpp_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Public headers only: nothing under detail/ is included by them.
foreach(dir engineio socketio)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${SIO_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "detail" EXCLUDE PATTERN "client_bundle" EXCLUDE)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/socketio/version.hpp
        DESTINATION ${SIO_INSTALL_INCLUDEDIR}/socketio)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/sio_cpp)
install(EXPORT sio_cpp_targets NAMESPACE sio:: FILE sio_cppTargets.cmake DESTINATION ${config_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sio_cppConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/sio_cppConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
# Before 1.0 a minor release may break the API (semantic versioning), so 0.x matches its minor.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(compatibility SameMinorVersion)
else()
  set(compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sio_cppConfigVersion.cmake
                                 COMPATIBILITY ${compatibility})
install(FILES ${PROJECT_BINARY_DIR}/sio_cppConfig.cmake
              ${PROJECT_BINARY_DIR}/sio_cppConfigVersion.cmake
        DESTINATION ${config_dir})

# pkg-config: sio-engineio, sio-socketio, sio-socketio-redis. The libraries are static, so each
# file lists what its library needs at link time. Their prefix is found from where the file
# lies, so the same files serve an install prefix and the Debian package.
file(RELATIVE_PATH SIO_PC_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" SIO_PC_PREFIX "${SIO_PC_PREFIX}")
foreach(pc sio-engineio sio-socketio sio-socketio-redis)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/pkgconfig/${pc}.pc.in
                 ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# The Debian package, for a top-level build only: CPack's settings are global to the build.
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME libsio-cpp-dev)
  set(CPACK_PACKAGE_VENDOR "sio-cpp")
  set(CPACK_PACKAGE_CONTACT "sio-cpp maintainers <sio-cpp@localhost>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
      "Socket.IO and Engine.IO server library for C++ (Boost.Beast)")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost1.81-dev, libfmt-dev, zlib1g-dev, libssl-dev, libbrotli-dev, \
libhiredis-dev, libmsgpuck-dev, pkg-config")
  include(CPack)
endif()
